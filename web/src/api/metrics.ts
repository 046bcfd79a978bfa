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

/** One value of a run's history that is not a number (text, null, a list) and its row's step. */
export interface TextValueRow {
  step: number | null;
  value: unknown;
  /** The value was longer than the viewer sends: `value` is its first part, as text. */
  cut: boolean;
}

/** Values `start` on of one key (`count` in all), oldest first. */
export interface TextValuePage {
  key: string;
  count: number;
  start: number;
  rows: TextValueRow[];
}

export const metricsApi = {
  /** Each key's last `limit` values, or `limit` values of `metric` from `start`. */
  textValues: (key: string, opts: { metric?: string; start?: number; limit?: number } = {}) =>
    getJson<{ keys: TextValuePage[]; malformed: number }>(`/api/runs/${enc(key)}/text-values`, {
      metric: opts.metric,
      start: opts.start,
      limit: opts.limit,
    }),
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
