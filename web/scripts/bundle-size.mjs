// Prints the size of the built UI (raw and gzip) after `vite build`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../../runicorn/web_dist", import.meta.url));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let raw = 0;
let gz = 0;
for (const file of walk(dist)) {
  const bytes = readFileSync(file);
  const zipped = gzipSync(bytes).length;
  raw += bytes.length;
  gz += zipped;
  console.log(`  ${relative(dist, file).padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(8)} KiB  gzip ${(zipped / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`bundle size: ${(raw / 1024).toFixed(1)} KiB (gzip ${(gz / 1024).toFixed(1)} KiB)`);
