// What a run logged besides its series: media files, histograms, tables and alerts (docs/api.md#media).
import type { ChartSpec } from "../lib/tableChart";
import { enc, getJson } from "./http";

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

export const mediaApi = {
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
};
