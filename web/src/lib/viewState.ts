// The research view of the Runs page as a URL: the query, filters, sort, columns, grouping, x axis,
// the charts shown and their switches (log, smoothing, clipping), the plots' fields and the brushes. A link reproduces the view; defaults are
// left out so links stay short.

export type ResearchTab = "table" | "charts" | "parallel" | "scatter";
export type Band = "minmax" | "std";

/** A brush on a parallel-coordinates axis: the part of its height kept, 0 (bottom) to 1 (top). */
export interface Brush {
  field: string;
  lo: number;
  hi: number;
}

export interface ViewState {
  q: string;
  project: string;
  name: string;
  status: string;
  tag: string;
  sort: string;
  order: "asc" | "desc";
  offset: number;
  /** Extra table columns (`config.lr`, `summary.val/acc`); null: the remembered choice. */
  columns: string[] | null;
  differs: boolean;
  /** Built-in table columns hidden (`host`, `id`); null: the remembered choice. */
  hide: string[] | null;
  view: ResearchTab;
  /** The field runs are grouped by, in the table and on the Charts view (`config.lr`, `tags`); "" for none. */
  group: string;
  x: string;
  band: Band;
  /** Metric keys charted; null: the remembered layout. */
  charts: string[] | null;
  /** The Charts view's switches: log y axes, smoothing weight (0 - 0.99), outlier clipping. */
  chartLog: boolean;
  smoothing: number;
  clip: boolean;
  /** The summary metric of the parallel-coordinates plot (its last axis and its colour). */
  metric: string;
  scatterX: string;
  scatterY: string;
  /** The scatter's log axes ("log" switches) and the config key its points are coloured by. */
  scatterLogX: boolean;
  scatterLogY: boolean;
  scatterColor: string;
  brushes: Brush[];
}

export const DEFAULT_VIEW: ViewState = {
  q: "",
  project: "",
  name: "",
  status: "",
  tag: "",
  sort: "created",
  order: "desc",
  offset: 0,
  columns: null,
  differs: false,
  hide: null,
  view: "table",
  group: "",
  x: "auto", // each chart its metric's define_metric axis, else step
  band: "minmax",
  charts: null,
  chartLog: false,
  smoothing: 0,
  clip: false,
  metric: "",
  scatterX: "",
  scatterY: "",
  scatterLogX: false,
  scatterLogY: false,
  scatterColor: "",
  brushes: [],
};

const TABS: ResearchTab[] = ["table", "charts", "parallel", "scatter"];
const TEXT_FIELDS = ["q", "project", "name", "status", "tag", "sort", "group", "x", "metric"] as const;

function list(value: string | null): string[] | null {
  return value === null ? null : value.split(",").filter(Boolean);
}

/** `field:lo:hi` (the field itself may hold colons); null when malformed. */
export function parseBrush(text: string): Brush | null {
  const parts = text.split(":");
  if (parts.length < 3) return null;
  const hi = Number(parts.pop());
  const lo = Number(parts.pop());
  const field = parts.join(":");
  if (!field || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { field, lo: clamp(Math.min(lo, hi)), hi: clamp(Math.max(lo, hi)) };
}

function brushText(b: Brush): string {
  const r = (v: number) => String(Math.round(v * 1000) / 1000);
  return `${b.field}:${r(b.lo)}:${r(b.hi)}`;
}

export function parseView(search: string | URLSearchParams): ViewState {
  const p = typeof search === "string" ? new URLSearchParams(search) : search;
  const v: ViewState = { ...DEFAULT_VIEW, brushes: [] };
  for (const f of TEXT_FIELDS) v[f] = p.get(f) ?? DEFAULT_VIEW[f];
  v.order = p.get("order") === "asc" ? "asc" : "desc";
  const offset = Number(p.get("offset") ?? 0);
  v.offset = Number.isInteger(offset) && offset > 0 ? offset : 0;
  v.columns = list(p.get("cols"));
  v.differs = p.get("differs") === "1";
  v.hide = list(p.get("hide"));
  const view = p.get("view") as ResearchTab | null;
  v.view = view && TABS.includes(view) ? view : "table";
  v.band = p.get("band") === "std" ? "std" : "minmax";
  v.charts = list(p.get("charts"));
  v.chartLog = p.get("log") === "1";
  const smoothing = Number(p.get("smooth") ?? 0);
  v.smoothing = Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0;
  v.clip = p.get("clip") === "1";
  v.scatterX = p.get("sx") ?? "";
  v.scatterY = p.get("sy") ?? "";
  v.scatterLogX = p.get("sxlog") === "1";
  v.scatterLogY = p.get("sylog") === "1";
  v.scatterColor = p.get("sc") ?? "";
  v.brushes = p.getAll("brush").map(parseBrush).filter((b): b is Brush => b !== null);
  return v;
}

export function serializeView(v: ViewState): URLSearchParams {
  const p = new URLSearchParams();
  if (v.view !== DEFAULT_VIEW.view) p.set("view", v.view);
  for (const f of TEXT_FIELDS) if (v[f] !== DEFAULT_VIEW[f]) p.set(f, v[f]);
  if (v.order !== DEFAULT_VIEW.order) p.set("order", v.order);
  if (v.offset > 0) p.set("offset", String(v.offset));
  if (v.columns !== null) p.set("cols", v.columns.join(","));
  if (v.differs) p.set("differs", "1");
  if (v.hide !== null) p.set("hide", v.hide.join(","));
  if (v.band !== DEFAULT_VIEW.band) p.set("band", v.band);
  if (v.charts !== null) p.set("charts", v.charts.join(","));
  if (v.chartLog) p.set("log", "1");
  if (v.smoothing > 0) p.set("smooth", String(Math.round(v.smoothing * 100) / 100));
  if (v.clip) p.set("clip", "1");
  if (v.scatterX) p.set("sx", v.scatterX);
  if (v.scatterY) p.set("sy", v.scatterY);
  if (v.scatterLogX) p.set("sxlog", "1");
  if (v.scatterLogY) p.set("sylog", "1");
  if (v.scatterColor) p.set("sc", v.scatterColor);
  for (const b of v.brushes) p.append("brush", brushText(b));
  return p;
}

/** The Runs page's address for a view. */
export function viewHref(v: ViewState): string {
  const qs = serializeView(v).toString();
  return qs ? `/?${qs}` : "/";
}
