// Runs: lists (filter, sort, page), one run's detail, and the research view's answers over many
// runs (columns, table, groups, grouped metrics, parameter importance); docs/api.md#runs.
import type { MetricGroup } from "../lib/bands";
import type { ColumnInfo } from "../lib/columns";
import type { ImportanceAnswer } from "../lib/importance";
import { enc, getJson, getText } from "./http";

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

/** Which runs: the filters and the query (`q`: the query language or plain words). */
export interface RunFilter {
  project?: string;
  name?: string;
  status?: string;
  tag?: string;
  q?: string;
  /** A second query (the query language) every run must pass too: the parallel plot's brushes. */
  where?: string;
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
  return { ...params, project: f.project, name: f.name, status: f.status, tag: f.tag, where: f.where, q: f.q };
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

export const runsApi = {
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
  runText: (key: string, which: "git-diff" | "traceback") => getText(`/api/runs/${enc(key)}/${which}`),
};
