// The only file that knows the viewer's URLs (see docs/api.md).
import type { Series, Stage } from "./lib/series";

export interface RunRow {
  key: string;
  id: string;
  project: string;
  name: string;
  status: string;
  created_at: number | null;
  ended_at: number | null;
  duration_s: number | null;
  hostname: string | null;
  tags: string[];
  notes: string | null;
  summary: Record<string, unknown>;
  warnings: string[];
}

export interface RunDetail extends RunRow {
  meta: Record<string, any>;
  status_file: Record<string, any>;
  config: Record<string, unknown>;
  metric_keys: string[];
  system_keys: string[];
  media_count: number;
  has_git_diff?: boolean;
  has_traceback?: boolean;
}

export interface RunList {
  total: number;
  offset: number;
  limit: number;
  runs: RunRow[];
}

export interface MetricsAnswer {
  x: string;
  keys: string[];
  series: Record<string, Series & { count: number; downsampled: boolean }>;
  stages: Stage[];
  offset: number;
  restarted: boolean;
}

export interface CompareAnswer {
  x: string;
  ids: string[];
  missing: string[];
  metrics: Record<string, (Series & { run: string; stages: Stage[] })[]>;
}

export interface MediaImage {
  key: string;
  path: string;
  step: number | null;
  caption: string | null;
}

export interface GpuInfo {
  index: number;
  name: string;
  util_percent: number | null;
  mem_used_bytes: number | null;
  mem_total_bytes: number | null;
  temp_c: number | null;
  power_w: number | null;
}

export interface LogBatch {
  lines: string[];
  start: number;
  offset: number;
  restarted: boolean;
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") qs.set(k, String(v));
  const url = qs.size ? `${path}?${qs}` : path;
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = await res.json();
      if (body && typeof body.error === "string") message = body.error;
    } catch {
      /* keep the status line */
    }
    throw new ApiError(message, res.status);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

async function getText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { Accept: "text/plain" } });
  if (!res.ok) throw new ApiError(`${res.status} ${res.statusText}`, res.status);
  return await res.text();
}

export interface RunQuery {
  project?: string;
  name?: string;
  status?: string;
  tag?: string;
  q?: string;
  sort?: string;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

export const api = {
  projects: () =>
    getJson<{ projects: { name: string; run_count: number; running: number }[] }>("/api/projects"),
  names: (project: string) =>
    getJson<{ names: { name: string; run_count: number }[] }>(`/api/projects/${enc(project)}/names`),
  runs: (query: RunQuery) => getJson<RunList>("/api/runs", { ...query }),
  run: (key: string) => getJson<RunDetail>(`/api/runs/${enc(key)}`),
  metrics: (key: string, opts: { x: string; since?: number; max_points?: number; keys?: string[] }) =>
    getJson<MetricsAnswer>(`/api/runs/${enc(key)}/metrics`, {
      x: opts.x,
      since: opts.since,
      max_points: opts.max_points,
      keys: opts.keys?.join(","),
    }),
  system: (key: string, opts: { x: string; since?: number }) =>
    getJson<MetricsAnswer>(`/api/runs/${enc(key)}/system`, { x: opts.x, since: opts.since }),
  compare: (ids: string[], keys: string[], x: string) =>
    getJson<CompareAnswer>("/api/compare", { ids: ids.join(","), keys: keys.join(","), x }),
  media: (key: string) => getJson<{ images: MediaImage[] }>(`/api/runs/${enc(key)}/media`),
  mediaUrl: (key: string, path: string) =>
    `/api/runs/${enc(key)}/media/${path.split("/").map(enc).join("/")}`,
  metricsCsvUrl: (key: string) => `/api/runs/${enc(key)}/metrics.csv`,
  runText: (key: string, which: "git-diff" | "traceback") => getText(`/api/runs/${enc(key)}/${which}`),
  gpu: () => getJson<{ available: boolean; reason?: string; gpus: GpuInfo[] }>("/api/gpu"),

  /** Streams the run's log; returns a function that closes the socket. */
  logStream(key: string, onBatch: (batch: LogBatch) => void, onError: (message: string) => void): () => void {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    let closed = false;
    let socket: WebSocket | null = null;
    let offset = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket = new WebSocket(`${proto}//${location.host}/api/runs/${enc(key)}/logs/ws?offset=${offset}`);
      socket.onmessage = (ev) => {
        const msg = JSON.parse(ev.data);
        if (typeof msg.error === "string") {
          onError(msg.error);
          closed = true;
          return;
        }
        offset = msg.offset;
        onBatch(msg as LogBatch);
      };
      socket.onclose = () => {
        if (!closed) retry = setTimeout(connect, 2000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    };
  },
};
