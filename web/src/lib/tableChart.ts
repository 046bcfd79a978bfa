// A chart drawn from a logged table (wandb.plot.line, scatter, bar, histogram, line_series,
// pr_curve, roc_curve, confusion_matrix): the table file's chart spec (docs/format.md#tables)
// turned into shapes in a plot box of width × height, as plain numbers the SVG component draws.

export interface ChartSpec {
  kind: "line" | "scatter" | "bar" | "histogram" | "confusion_matrix";
  x?: string;
  y?: string;
  value?: string;
  series?: string;
  title?: string;
  x_title?: string;
  y_title?: string;
}

export interface Series {
  name: string;
  points: [number, number][]; // in the plot box, y down
}

export interface Bar {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

export interface Cell {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  shade: number; // 0..1 of the largest value
}

export interface ChartShapes {
  series: Series[];
  bars: Bar[];
  cells: Cell[];
  xLabels: { at: number; text: string }[];
  yLabels: { at: number; text: string }[];
}

const HISTOGRAM_BINS = 20;

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

function short(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4));
}

function scale(lo: number, hi: number, size: number, flip: boolean): (v: number) => number {
  const span = hi > lo ? hi - lo : 1;
  return (v) => (flip ? size - ((v - lo) / span) * size : ((v - lo) / span) * size);
}

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

function empty(): ChartShapes {
  return { series: [], bars: [], cells: [], xLabels: [], yLabels: [] };
}

/** The shapes of `spec` drawn from `rows` (cells under `columns`) in a width × height box. */
export function chartShapes(spec: ChartSpec, columns: string[], rows: unknown[][], width: number, height: number): ChartShapes {
  const col = (name?: string) => (name === undefined ? -1 : columns.indexOf(name));
  if (spec.kind === "histogram") return histogram(rows.map((r) => num(r[col(spec.value)])).filter((v): v is number => v !== null), width, height);
  if (spec.kind === "bar") return bars(rows, col(spec.x), col(spec.y), width, height);
  if (spec.kind === "confusion_matrix") return matrix(rows, col(spec.y), col(spec.x), col(spec.value), width, height);
  return lines(spec, rows, col(spec.x), col(spec.y), col(spec.series), width, height);
}

function lines(spec: ChartSpec, rows: unknown[][], xi: number, yi: number, si: number, width: number, height: number): ChartShapes {
  const groups = new Map<string, [number, number][]>();
  for (const r of rows) {
    const x = num(r[xi]);
    const y = num(r[yi]);
    if (x === null || y === null) continue;
    const name = si >= 0 ? String(r[si]) : (spec.y ?? "");
    const g = groups.get(name) ?? [];
    g.push([x, y]);
    groups.set(name, g);
  }
  const all = [...groups.values()].flat();
  const [x0, x1] = range(all.map((p) => p[0]));
  const [y0, y1] = range(all.map((p) => p[1]));
  const sx = scale(x0, x1, width, false);
  const sy = scale(y0, y1, height, true);
  const out = empty();
  for (const [name, pts] of groups) {
    out.series.push({ name, points: pts.map(([x, y]) => [sx(x), sy(y)]) });
  }
  out.xLabels = [{ at: 0, text: short(x0) }, { at: width, text: short(x1) }];
  out.yLabels = [{ at: height, text: short(y0) }, { at: 0, text: short(y1) }];
  return out;
}

function bars(rows: unknown[][], li: number, vi: number, width: number, height: number): ChartShapes {
  const items = rows.map((r) => ({ label: String(r[li] ?? ""), value: num(r[vi]) ?? 0 }));
  const [lo, hi] = range([0, ...items.map((b) => b.value)]);
  const sy = scale(lo, hi, height, true);
  const step = items.length ? width / items.length : width;
  const out = empty();
  out.bars = items.map((b, i) => {
    const top = Math.min(sy(b.value), sy(0));
    return { label: b.label, value: b.value, x: i * step + step * 0.1, y: top, width: step * 0.8, height: Math.abs(sy(b.value) - sy(0)) };
  });
  out.yLabels = [{ at: height, text: short(lo) }, { at: 0, text: short(hi) }];
  return out;
}

function histogram(values: number[], width: number, height: number): ChartShapes {
  const [lo, hi] = range(values);
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const v of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - lo) / (hi - lo)) * HISTOGRAM_BINS))]++;
  const top = Math.max(1, ...counts);
  const step = width / HISTOGRAM_BINS;
  const out = empty();
  out.bars = counts.map((c, i) => ({
    label: short(lo + ((hi - lo) * i) / HISTOGRAM_BINS),
    value: c,
    x: i * step,
    y: height - (c / top) * height,
    width: step * 0.95,
    height: (c / top) * height,
  }));
  out.xLabels = [{ at: 0, text: short(lo) }, { at: width, text: short(hi) }];
  out.yLabels = [{ at: height, text: "0" }, { at: 0, text: String(top) }];
  return out;
}

function matrix(rows: unknown[][], ai: number, pi: number, vi: number, width: number, height: number): ChartShapes {
  const actual: string[] = [];
  const predicted: string[] = [];
  for (const r of rows) {
    if (!actual.includes(String(r[ai]))) actual.push(String(r[ai]));
    if (!predicted.includes(String(r[pi]))) predicted.push(String(r[pi]));
  }
  const top = Math.max(1, ...rows.map((r) => num(r[vi]) ?? 0));
  const w = width / Math.max(1, predicted.length);
  const h = height / Math.max(1, actual.length);
  const out = empty();
  out.cells = rows.map((r) => {
    const value = num(r[vi]) ?? 0;
    return { x: predicted.indexOf(String(r[pi])) * w, y: actual.indexOf(String(r[ai])) * h, width: w, height: h, value, shade: value / top };
  });
  out.xLabels = predicted.map((p, i) => ({ at: i * w + w / 2, text: p }));
  out.yLabels = actual.map((a, i) => ({ at: i * h + h / 2, text: a }));
  return out;
}
