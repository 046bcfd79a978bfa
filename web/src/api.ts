// The only file that knows the viewer's URLs (see docs/api.md).
import type { MetricGroup } from "./lib/bands";
import type { ColumnInfo } from "./lib/columns";
import type { ImportanceAnswer } from "./lib/importance";
import type { Series, Stage } from "./lib/series";
import type { ChartSpec } from "./lib/tableChart";

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
  /** How the run is named in tables and legends (the viewer's choice: its label, else its name). */
  label?: string;
  /** The asked-for columns (`columns=`): `{"config.lr": 0.01, "summary.val/acc": 0.91}`. */
  values?: Record<string, unknown>;
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
  /** Each found run's label, computed over the compared runs (the config keys that differ). */
  labels?: Record<string, string>;
  metrics: Record<string, (Series & { run: string; stages: Stage[] })[]>;
}

/** One rn.alert of a run (GET /api/runs/{key}/alerts). */
export interface RunAlert {
  ts: number | null;
  step: number | null;
  title: string;
  text: string;
  level: "info" | "success" | "warning" | "error";
}

export interface MediaImage {
  key: string;
  path: string;
  step: number | null;
  caption: string | null;
}

/** An audio, video or HTML file logged with log_audio / log_video / log_html. */
export interface MediaFile {
  key: string;
  path: string;
  step: number | null;
  caption: string | null;
}

export interface MediaAnswer {
  images: MediaImage[];
  audio?: MediaFile[];
  video?: MediaFile[];
  html?: MediaFile[];
}

/** One histogram key over steps: edges[i] and counts[i] belong to steps[i]. */
export interface HistogramSeries {
  steps: number[];
  edges: number[][];
  counts: number[][];
  total: number;
}

export interface TableInfo {
  key: string;
  step: number;
  path: string;
  columns: string[];
  rows: number;
}

export interface TablePage {
  columns: string[];
  rows: unknown[][];
  offset: number;
  total: number;
  sort: string | null;
  desc: boolean;
  chart: ChartSpec | null; // how to draw the table (wandb.plot.*), from the table file
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

const LOG_PAGE_LINES = 20_000;

/** The whole log of a run that has ended, page by page; returns the function that stops it. */
function readLogOnce(key: string, onBatch: (batch: LogBatch) => void, onError: (message: string) => void): () => void {
  let stopped = false;
  const read = async (offset: number) => {
    const page = await getJson<LogBatch & { more: boolean }>(`/api/runs/${enc(key)}/logs`, { offset, limit: LOG_PAGE_LINES });
    if (stopped) return;
    onBatch(page);
    if (page.more && page.offset > offset) await read(page.offset);
  };
  read(0).catch((e: Error) => stopped || onError(String(e.message ?? e)));
  return () => {
    stopped = true;
  };
}

export class ApiError extends Error {
  /** `column`: for a query the viewer could not parse, the 1-based column of the mistake. */
  constructor(message: string, readonly status: number, readonly column: number | null = null) {
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

const enc = encodeURIComponent;

async function getText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { Accept: "text/plain" } });
  if (!res.ok) throw new ApiError(`${res.status} ${res.statusText}`, res.status);
  return await res.text();
}

/** Which runs: the filters and the query (`q`: the query language or plain words). */
export interface RunFilter {
  project?: string;
  name?: string;
  status?: string;
  tag?: string;
  q?: string;
}

export interface RunQuery extends RunFilter {
  sort?: string;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
  /** Columns whose values each row carries (`config.lr`, `summary.val/acc`). */
  columns?: string[];
}

/** Parameters with the filter's, `q` last (a failed request's URL ends with the query). */
function withFilter(params: Record<string, string | number | undefined>, f: RunFilter) {
  return { ...params, project: f.project, name: f.name, status: f.status, tag: f.tag, q: f.q };
}

export interface ColumnsAnswer {
  columns: ColumnInfo[];
  /** The metric keys the runs logged a history of, the most common first. */
  metric_keys?: { key: string; runs: number }[];
  total: number;
}

/** GET /api/metrics/grouped: one metric of the runs, per group (no `by`: per run). */
export interface GroupedAnswer {
  by: string;
  key: string;
  /** The x drawn against (`x=auto` resolved to the key's define_metric axis, else step). */
  x: string;
  groups: MetricGroup[];
  runs_total: number;
  truncated: boolean;
}

/** One group of the runs table (GET /api/runs/groups): its runs and the metric's aggregates. */
export interface RunGroup {
  value: unknown;
  label: string;
  count: number;
  /** How many of its runs have a number for the metric (the rest are left out of mean/min/max). */
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  runs: RunRow[];
}

export interface RunTable {
  /** Every matching run; `keys` holds the first `limit` of them. */
  total: number;
  keys: string[];
  labels: string[];
  columns: Record<string, (number | string | boolean | null)[]>;
}

export const api = {
  projects: () =>
    getJson<{ projects: { name: string; run_count: number; running: number }[] }>("/api/projects"),
  names: (project: string) =>
    getJson<{ names: { name: string; run_count: number }[] }>(`/api/projects/${enc(project)}/names`),
  runs: (query: RunQuery) =>
    getJson<RunList>(
      "/api/runs",
      withFilter(
        {
          sort: query.sort,
          order: query.order,
          limit: query.limit,
          offset: query.offset,
          columns: query.columns?.length ? query.columns.join(",") : undefined,
        },
        query,
      ),
    ),
  runColumns: (filter: RunFilter) => getJson<ColumnsAnswer>("/api/runs/columns", withFilter({}, filter)),
  runTable: (filter: RunFilter, columns: string[], limit = 10000) =>
    getJson<RunTable>("/api/runs/table", withFilter({ columns: columns.join(","), limit }, filter)),
  runGroups: (query: RunQuery & { by: string; metric: string }) =>
    getJson<{ total: number; groups_total: number; groups: RunGroup[] }>(
      "/api/runs/groups",
      withFilter(
        {
          by: query.by,
          metric: query.metric || undefined,
          sort: query.sort,
          order: query.order,
          limit: query.limit,
          columns: query.columns?.length ? query.columns.join(",") : undefined,
        },
        query,
      ),
    ),
  importance: (filter: RunFilter, metric: string) =>
    getJson<ImportanceAnswer>("/api/research/importance", withFilter({ metric }, filter)),
  /** `columns`: the chosen table columns (their config keys lead the runs' labels). */
  groupedMetrics: (filter: RunFilter, p: { by?: string; key: string; x: string; band: string; max_points?: number; columns?: string[] }) =>
    getJson<GroupedAnswer>("/api/metrics/grouped", withFilter({ ...p, by: p.by || undefined, columns: p.columns?.join(",") }, filter)),
  run: (key: string) => getJson<RunDetail>(`/api/runs/${enc(key)}`),
  metrics: (key: string, opts: { x: string; since?: number; max_points?: number; keys?: string[] }) =>
    // the keys first: a long list stays out of the end of the URL that error messages show
    getJson<MetricsAnswer>(`/api/runs/${enc(key)}/metrics`, {
      keys: opts.keys?.join(","),
      x: opts.x,
      since: opts.since,
      max_points: opts.max_points,
    }),
  system: (key: string, opts: { x: string; since?: number }) =>
    getJson<MetricsAnswer>(`/api/runs/${enc(key)}/system`, { x: opts.x, since: opts.since }),
  /** `columns`: the chosen table columns (their config keys lead the runs' labels). */
  compare: (ids: string[], keys: string[], x: string, columns: string[] = []) =>
    getJson<CompareAnswer>("/api/compare", { ids: ids.join(","), keys: keys.join(",") || undefined, x, columns: columns.join(",") }),
  media: (key: string) => getJson<MediaAnswer>(`/api/runs/${enc(key)}/media`),
  histograms: (key: string, maxSteps = 200) =>
    getJson<{ keys: Record<string, HistogramSeries> }>(`/api/runs/${enc(key)}/histograms`, { max_steps: maxSteps }),
  tables: (key: string) => getJson<{ tables: TableInfo[] }>(`/api/runs/${enc(key)}/tables`),
  tableRows: (key: string, p: { path: string; offset: number; limit: number; sort?: string; desc?: boolean }) =>
    getJson<TablePage>(`/api/runs/${enc(key)}/tables/rows`, {
      path: p.path,
      offset: p.offset,
      limit: p.limit,
      sort: p.sort,
      desc: p.desc ? "true" : undefined,
    }),
  alerts: (key: string) => getJson<RunAlert[]>(`/api/runs/${enc(key)}/alerts`),
  mediaUrl: (key: string, path: string) =>
    `/api/runs/${enc(key)}/media/${path.split("/").map(enc).join("/")}`,
  metricsCsvUrl: (key: string) => `/api/runs/${enc(key)}/metrics.csv`,
  runText: (key: string, which: "git-diff" | "traceback") => getText(`/api/runs/${enc(key)}/${which}`),
  sweeps: () => getJson<{ sweeps: SweepSummary[] }>("/api/sweeps"),
  sweep: (id: string) => getJson<SweepDetail>(`/api/sweeps/${enc(id)}`),
  gpu: () => getJson<{ available: boolean; reason?: string; gpus: GpuInfo[] }>("/api/gpu"),
  config: () => getJson<ViewerConfig>("/api/config"),
  checkpoints: (key: string) => getJson<Checkpoint[]>(`/api/runs/${enc(key)}/checkpoints`),
  jobs: (p: { status?: string; project?: string; limit?: number }) => getJson<JobList>("/api/jobs", p),
  job: (id: string) => getJson<JobDetail>(`/api/jobs/${enc(id)}`),

  /**
   * Streams the run's log; returns a function that closes the socket. With `follow` false (a run
   * that has ended) the log is read once, page by page (GET /logs), and nothing stays open.
   */
  logStream(
    key: string,
    onBatch: (batch: LogBatch) => void,
    onError: (message: string) => void,
    follow = true,
  ): () => void {
    if (!follow) return readLogOnce(key, onBatch, onError);
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

export interface ImportResult {
  archive: string;
  outcome: "imported" | "skipped" | "renamed";
  run_id: string;
  new_id: string;
  project: string;
  name: string;
  files: number;
  bytes: number;
}

export interface ImportAnswer {
  archive: string;
  results: ImportResult[];
}

export interface SshConnectBody {
  host: string;
  port: number;
  user: string;
  password?: string;
  key_path?: string;
  key_text?: string;
  passphrase?: string;
  agent?: boolean;
  trust?: boolean;
  fingerprint?: string;
}

export interface SshConnectAnswer {
  session: string | null;
  host_key: "known" | "unknown" | string;
  fingerprint?: string;
  message?: string;
}

export interface RemoteEntry {
  name: string;
  dir: boolean;
  size: number;
  mtime: number;
}

export interface RemoteListing {
  path: string;
  is_run: boolean;
  entries: RemoteEntry[];
}

export interface MirrorInfo {
  id: string;
  user: string;
  host: string;
  port: number;
  remote_path: string;
  interval_s: number;
  auth: string;
  alive: boolean;
  kind: string;
  runs: number;
  active_runs: number;
  files: number;
  bytes: number;
  wire_bytes: number;
  last_sync: number | null;
  last_error: string | null;
  stopped: boolean;
  /** "remote path: why" for the first remote entries the mirror refused (unsafe names, links). */
  refused: string[];
  refused_count: number;
  waiting_for_credentials: boolean;
}

/** An API error with the server's hint, when it gave one. */
export class HintedError extends ApiError {
  constructor(message: string, status: number, readonly hint: string | null) {
    super(message, status);
  }
}

async function sendJson<T>(method: string, path: string, body: unknown): Promise<T> {
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

/** Uploads one archive to POST /api/import; reports upload progress as a fraction 0..1. */
export function uploadArchive(file: File, onProgress: (fraction: number) => void): Promise<ImportAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/import");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && ev.total > 0) onProgress(ev.loaded / ev.total);
    };
    xhr.onload = () => {
      let data: any = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        onProgress(1);
        resolve(data as ImportAnswer);
        return;
      }
      const message = data && typeof data.error === "string" ? data.error : `${xhr.status} ${xhr.statusText}`;
      reject(new HintedError(message, xhr.status, data && typeof data.hint === "string" ? data.hint : null));
    };
    xhr.onerror = () => reject(new HintedError("the upload failed: the viewer could not be reached", 0, null));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

export const sshApi = {
  connect: (body: SshConnectBody) => sendJson<SshConnectAnswer>("POST", "/api/ssh/connect", body),
  listdir: (session: string, path?: string) =>
    getJson<RemoteListing>("/api/ssh/listdir", { session, path }),
  startMirror: (session: string, path: string) =>
    sendJson<{ id: string }>("POST", "/api/ssh/mirror/start", { session, path }),
  mirrors: () => getJson<{ mirrors: MirrorInfo[] }>("/api/ssh/mirror/list"),
  stopMirror: (id: string) => sendJson<{ stopped: string }>("POST", "/api/ssh/mirror/stop", { id }),
};

export interface SweepSummary {
  id: string;
  name: string | null;
  project: string;
  method: string;
  metric: { name: string; goal: "minimize" | "maximize" } | null;
  created_at: number | null;
  trial_count: number;
  trials_by_status: Record<string, number>;
  best_metric: number | null;
  best_trial: number | null;
}

export interface SweepTrial {
  index: number;
  params: Record<string, number | string | boolean | null>;
  status: string;
  metric: number | null;
  run_id: string | null;
  run_key: string | null;
  started_at: number | null;
  ended_at: number | null;
}

export interface SweepDetail extends SweepSummary {
  config: Record<string, unknown>;
  parameters: { name: string; distribution: string; values: unknown[] | null }[];
  trials: SweepTrial[];
}
// --- artifacts (docs/api.md#artifacts) ---
export interface ArtifactRunRef {
  key: string;
  id: string;
  project: string;
  name: string;
  status: string;
}

export interface ArtifactVersionRow {
  version: string;
  digest: string;
  aliases: string[];
  created_at: number | null;
  file_count: number;
  size_bytes: number;
  logged_by: ArtifactRunRef[];
  used_by: ArtifactRunRef[];
}

export interface ArtifactSummary {
  name: string;
  type: string;
  versions: ArtifactVersionRow[];
}

export interface ArtifactDetail extends ArtifactVersionRow {
  name: string;
  type: string;
  description: string | null;
  metadata: Record<string, unknown>;
  created_by: string | null;
  files: { path: string; size: number | null; sha256: string | null; ref: string | null }[];
}

export interface ArtifactLink {
  name: string;
  version: string;
  digest: string;
  type: string;
  aliases: string[];
  at: number;
}

export const artifactsApi = {
  list: () => getJson<{ artifacts: ArtifactSummary[] }>("/api/artifacts"),
  version: (name: string, version: string) => getJson<ArtifactDetail>(`/api/artifacts/${enc(name)}/${enc(version)}`),
  ofRun: (key: string) => getJson<{ logged: ArtifactLink[]; used: ArtifactLink[] }>(`/api/runs/${enc(key)}/artifacts`),
};

/** GET /api/config: the parts the UI uses. `agent_url`: where the Jobs buttons go (null: none). */
export interface ViewerConfig {
  version: string;
  read_only: boolean;
  agent_url: string | null;
}

/** One rn.log_checkpoint of a run. */
export interface Checkpoint {
  ts: number | null;
  path: string;
  step: number | null;
}

/** One job of the agent's queue, as the viewer reads it (GET /api/jobs). */
export interface Job {
  id: string;
  status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
  project: string;
  name: string;
  run_id: string;
  run_key: string | null;
  command: string[] | string | null;
  gpus: number;
  gpu_ids: number[];
  attempts: number;
  max_retries: number;
  exit_code: number | null;
  error: string | null;
  resume_from: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface JobList {
  jobs: Job[];
  total: number;
  projects: string[];
  /** null: no queue database under the storage root (no agent ever ran); `hint` says how to start one. */
  agent: { url: string | null } | null;
  hint?: string;
  /** With `agent: null`: the command that starts an agent (the hint's command alone). */
  start?: string;
}

export interface JobDetail extends Job {
  run_status: string | null;
  step: number | null;
  metrics: Record<string, number>;
  checkpoints: Checkpoint[];
  last_log_lines: string[];
}

/** The agent's own API (docs/agent.md#api), called from the page at the configured agent URL.
 * Cross-origin: the agent must allow this page's origin (`runicorn agent --cors-origin ORIGIN`).
 * The agent answers its owner only: `token` (the output of `runicorn agent token`) goes with
 * every call as a Bearer header; without it (or with a wrong one) calls fail with status 401. */
export function agentApi(agentUrl: string, token: string | null = null) {
  const base = agentUrl.replace(/\/+$/, "");
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => null);
    if (!res.ok) {
      const message = answer && typeof answer.error === "string" ? answer.error : `${res.status} ${res.statusText}`;
      throw new HintedError(message, res.status, answer && typeof answer.hint === "string" ? answer.hint : null);
    }
    return answer;
  };
  return {
    cancel: (id: string) => post(`/api/jobs/${enc(id)}/cancel`, {}),
    resume: (id: string) => post(`/api/jobs/${enc(id)}/resume`, {}),
    submit: (command: string) => post("/api/jobs", { command, shell: true }),
  };
}

export type AgentApi = ReturnType<typeof agentApi>;
