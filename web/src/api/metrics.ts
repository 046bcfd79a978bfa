// One run's metric and system series, and several runs' metrics side by side (docs/api.md#metrics).
import type { Series, Stage } from "../lib/series";
import { enc, getJson } from "./http";

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

export const metricsApi = {
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
  metricsCsvUrl: (key: string) => `/api/runs/${enc(key)}/metrics.csv`,
};
