// Client-side routes: the viewer answers index.html for every non-/api path.

export type Route =
  | { page: "runs" }
  | { page: "run"; key: string; overlay: string[] }
  | { page: "compare"; ids: string[]; media?: string }
  | { page: "gpu" }
  | { page: "import" }
  | { page: "remote" }
  | { page: "sweeps" }
  | { page: "jobs" }
  | { page: "sweep"; id: string }
  | { page: "artifacts" }
  | { page: "artifact"; name: string; version: string }
  | { page: "notfound"; path: string };

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/runs") return { page: "runs" };
  if (path === "/gpu") return { page: "gpu" };
  if (path === "/import") return { page: "import" };
  if (path === "/remote") return { page: "remote" };
  if (path === "/sweeps") return { page: "sweeps" };
  if (path === "/jobs") return { page: "jobs" };
  const sw = /^\/sweeps\/([^/]+)$/.exec(path);
  if (sw) return { page: "sweep", id: decodeURIComponent(sw[1]) };
  if (path === "/artifacts") return { page: "artifacts" };
  const a = /^\/artifacts\/([^/]+)\/([^/]+)$/.exec(path);
  if (a) return { page: "artifact", name: decodeURIComponent(a[1]), version: decodeURIComponent(a[2]) };
  if (path === "/compare") {
    const media = new URLSearchParams(search).get("media");
    return { page: "compare", ids: listParam(search, "ids"), ...(media ? { media } : {}) };
  }
  const m = /^\/runs\/([^/]+)$/.exec(path);
  if (m) return { page: "run", key: decodeURIComponent(m[1]), overlay: listParam(search, "overlay") };
  return { page: "notfound", path };
}

/** A comma-separated list in the query string (`?ids=a,b`); empty when absent. */
function listParam(search: string, name: string): string[] {
  return (new URLSearchParams(search).get(name) ?? "").split(",").filter(Boolean);
}

/** A run's page; `overlay` lists other runs drawn on its charts (`?overlay=a,b`). */
export function runHref(key: string, overlay: string[] = []): string {
  const base = `/runs/${encodeURIComponent(key)}`;
  return overlay.length ? `${base}?overlay=${overlay.map(encodeURIComponent).join(",")}` : base;
}

/** Compare; `media` names the media key shown side by side (`&media=samples`). */
export function compareHref(ids: string[], media?: string): string {
  const base = `/compare?ids=${ids.map(encodeURIComponent).join(",")}`;
  return media ? `${base}&media=${encodeURIComponent(media)}` : base;
}

export function sweepHref(id: string): string {
  return `/sweeps/${encodeURIComponent(id)}`;
}

/** One version of an artifact (`version` may be an alias such as `latest`). */
export function artifactHref(name: string, version: string): string {
  return `/artifacts/${encodeURIComponent(name)}/${encodeURIComponent(version)}`;
}
