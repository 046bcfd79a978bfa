import { defineConfig } from "vite";

// `npm run dev` serves the UI with hot reload and forwards /api (HTTP and WebSocket) to a running
// `runicorn viewer`; set RUNICORN_VIEWER to its address (default http://127.0.0.1:23300).
const viewer = process.env.RUNICORN_VIEWER ?? "http://127.0.0.1:23300";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../runicorn/web_dist",
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 400,
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  server: {
    proxy: { "/api": { target: viewer, changeOrigin: true, ws: true } },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
} as any);
