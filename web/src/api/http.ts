// The fetch layer of the viewer's API: JSON and text requests, the one error shape (`{"error":
// ..., "hint": ...}`) turned into ApiError / HintedError. Only the modules of web/src/api/ use it.

export class ApiError extends Error {
  /** `column`: for a query the viewer could not parse, the 1-based column of the mistake. */
  constructor(message: string, readonly status: number, readonly column: number | null = null) {
    super(message);
  }
}

/** An API error with the server's hint, when it gave one. */
export class HintedError extends ApiError {
  constructor(message: string, status: number, readonly hint: string | null) {
    super(message, status);
  }
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") qs.set(k, String(v));
  const url = qs.size ? `${path}?${qs}` : path;
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    let column: number | null = null;
    try {
      const body = await res.json();
      if (body && typeof body.error === "string") message = body.error;
      if (body && typeof body.column === "number") column = body.column;
    } catch {
      /* keep the status line */
    }
    throw new ApiError(message, res.status, column);
  }
  return (await res.json()) as T;
}

export const enc = encodeURIComponent;

export async function getText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { Accept: "text/plain" } });
  if (!res.ok) throw new ApiError(`${res.status} ${res.statusText}`, res.status);
  return await res.text();
}

export async function sendJson<T>(method: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let data: any = null;
  try {
    data = await res.json();
  } catch {
    /* keep the status line */
  }
  if (!res.ok) {
    const message = data && typeof data.error === "string" ? data.error : `${res.status} ${res.statusText}`;
    throw new HintedError(message, res.status, data && typeof data.hint === "string" ? data.hint : null);
  }
  return data as T;
}
