// Paths on the SSH server as the Remote page shows them: breadcrumbs, joining, run folders.

export interface Crumb {
  label: string;
  path: string;
}

/** "/data/exp" -> [/, data, exp], each with the absolute path it opens. */
export function crumbs(path: string): Crumb[] {
  const parts = path.split("/").filter(Boolean);
  return [{ label: "/", path: "/" }, ...parts.map((p, i) => ({ label: p, path: "/" + parts.slice(0, i + 1).join("/") }))];
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** A folder named like a run id (YYYYMMDD_HHMMSS_ plus 6 hex), as the SDK names run folders. */
export function looksLikeRunFolder(name: string): boolean {
  return /^\d{8}_\d{6}_[0-9a-f]{6}$/.test(name);
}
