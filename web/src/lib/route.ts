// Client-side routes: the viewer answers index.html for every non-/api path.

export type Route =
  | { page: "runs" }
  | { page: "run"; key: string }
  | { page: "compare"; ids: string[] }
  | { page: "gpu" }
  | { page: "import" }
  | { page: "remote" }
  | { page: "notfound"; path: string };

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/runs") return { page: "runs" };
  if (path === "/gpu") return { page: "gpu" };
  if (path === "/import") return { page: "import" };
  if (path === "/remote") return { page: "remote" };
  if (path === "/compare") {
    const ids = (new URLSearchParams(search).get("ids") ?? "").split(",").filter(Boolean);
    return { page: "compare", ids };
  }
  const m = /^\/runs\/([^/]+)$/.exec(path);
  if (m) return { page: "run", key: decodeURIComponent(m[1]) };
  return { page: "notfound", path };
}

export function runHref(key: string): string {
  return `/runs/${encodeURIComponent(key)}`;
}

export function compareHref(ids: string[]): string {
  return `/compare?ids=${ids.map(encodeURIComponent).join(",")}`;
}
