// Parallel coordinates: pure layout. One vertical axis per field (numbers: a linear scale from the
// smallest to the largest value, or a log scale with ticks at powers of ten when asked and all
// values are > 0; anything else:
// categories spread evenly in the order first met), one polyline per item across the axes, and a
// colour per item from the colour field (low → high). Drawing is left to a canvas in the page.

export type Cell = number | string | boolean | null | undefined;

export interface FieldSpec {
  name: string;
  /** "log" spaces numbers logarithmically (when all are > 0). */
  scale?: "linear" | "log";
}

export interface Axis {
  name: string;
  kind: "number" | "category";
  /** True for a log scale. */
  log?: boolean;
  x: number;
  /** Labels along the axis with their y, bottom to top. */
  ticks: { label: string; y: number }[];
  /** y of a value on this axis; null when the value cannot be placed (missing, not a number). */
  place: (value: Cell) => number | null;
}

export interface Line {
  index: number;
  /** One point per axis; y null where the item has no value there (the line breaks). */
  points: { x: number; y: number | null }[];
  color: string;
}

export interface ParallelLayout {
  axes: Axis[];
  lines: Line[];
}

export interface Box {
  width: number;
  height: number;
  /** Free space around the plot for labels. */
  padding: { top: number; right: number; bottom: number; left: number };
}

function isNumber(v: Cell): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** A category's label (booleans and numbers as text, missing as "–"). */
export function categoryLabel(v: Cell): string {
  return v === null || v === undefined ? "–" : String(v);
}

export function buildAxis(spec: FieldSpec, values: Cell[], x: number, top: number, bottom: number): Axis {
  const present = values.filter((v) => v !== null && v !== undefined);
  const numeric = present.length > 0 && present.every(isNumber);
  if (numeric) {
    const nums = present as number[];
    const log = spec.scale === "log" && nums.every((v) => v > 0);
    const f = (v: number) => (log ? Math.log10(v) : v);
    let lo = Math.min(...nums.map(f));
    let hi = Math.max(...nums.map(f));
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const place = (v: Cell) => (isNumber(v) && (!log || v > 0) ? bottom - ((f(v) - lo) / (hi - lo)) * (bottom - top) : null);
    const at = (value: number) => bottom - ((f(value) - lo) / (hi - lo)) * (bottom - top);
    const distinct = [...new Set(nums)].sort((a, b) => a - b);
    const ticks = log
      ? logTickLabels(logTicks(10 ** lo, 10 ** hi)).map(({ value, label }) => ({ label, y: at(value) }))
      : distinct.length <= FEW_VALUES // a batch size of 32, 64, 128, 256: its own values, not 144
        ? distinct.map((value) => ({ label: formatTick(value), y: at(value) }))
        : [0, 0.5, 1].map((t) => ({ label: formatTick(lo + t * (hi - lo)), y: bottom - t * (bottom - top) }));
    return { name: spec.name, kind: "number", log, x, ticks, place };
  }
  const cats: string[] = [];
  for (const v of values) {
    const label = categoryLabel(v);
    if (!cats.includes(label)) cats.push(label);
  }
  const yOf = (i: number) => (cats.length === 1 ? (top + bottom) / 2 : bottom - (i / (cats.length - 1)) * (bottom - top));
  const place = (v: Cell) => {
    const i = cats.indexOf(categoryLabel(v));
    return i < 0 ? null : yOf(i);
  };
  return { name: spec.name, kind: "category", x, ticks: cats.map((label, i) => ({ label, y: yOf(i) })), place };
}

/** A numeric axis with at most this many distinct values is ticked at each of them. */
export const FEW_VALUES = 6;

/** A log axis' tick labels, one way for all: powers of ten as `1e-4`, `1e-3` when any of them
 *  needs an exponent (never `1.0e-4` beside `0.001`), else as formatTick writes them. */
export function logTickLabels(values: number[]): { value: number; label: string }[] {
  const power = (v: number) => Math.round(Math.log10(v));
  const powers = values.every((v) => Math.abs(10 ** power(v) - v) <= v * 1e-9);
  const exponent = powers && values.some((v) => formatTick(v).includes("e"));
  return values.map((value) => ({ value, label: exponent ? `1e${power(value)}` : formatTick(value) }));
}

/** Tick values for a log scale over [lo, hi] (both > 0): the powers of ten inside, thinned to
 *  about `count`; with fewer than two of them, 1, 2 and 5 times each power. */
export function logTicks(lo: number, hi: number, count = 6): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return [];
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  const last = Math.floor(Math.log10(hi) + 1e-9);
  const powers: number[] = [];
  for (let e = first; e <= last; e++) powers.push(e);
  if (powers.length >= 2) {
    const every = Math.ceil(powers.length / count);
    return powers.filter((e) => (e - first) % every === 0).map((e) => Number((10 ** e).toPrecision(12)));
  }
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** A short label for a tick value: 3 significant digits, exponent form when very small or large. */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** A colour from low (blue) to high (red) for t in [0, 1]; grey for null. */
export function rampColor(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return "rgb(150,150,150)";
  const c = Math.min(1, Math.max(0, t));
  const r = Math.round(59 + c * (220 - 59));
  const g = Math.round(130 - c * (130 - 38));
  const b = Math.round(246 - c * (246 - 38));
  return `rgb(${r},${g},${b})`;
}

/**
 * Lines grouped by colour, so that a canvas strokes one path per colour instead of one per line.
 * Lines not in `keep` (when given) go to one `dimmed` group, listed first so it is drawn underneath.
 */
export function linesByColor(lines: Line[], keep?: Set<number>, dimmed = "rgba(150,150,150,0.25)"): { color: string; lines: Line[] }[] {
  const groups = new Map<string, Line[]>();
  if (keep) groups.set(dimmed, []);
  for (const line of lines) {
    const color = keep && !keep.has(line.index) ? dimmed : line.color;
    let list = groups.get(color);
    if (!list) groups.set(color, (list = []));
    list.push(line);
  }
  return [...groups].filter(([, l]) => l.length > 0).map(([color, l]) => ({ color, lines: l }));
}

/**
 * Lays out items (rows of field → value) on one axis per field, evenly spaced across the box.
 * `colorBy` names the numeric field whose value colours each line (low blue, high red); with
 * `colorSteps`, the colours are rounded to that many steps (few colours: few canvas paths).
 */
export function layoutParallel(
  items: Record<string, Cell>[],
  fields: FieldSpec[],
  box: Box,
  colorBy?: string,
  colorSteps = 0,
): ParallelLayout {
  const { padding: p } = box;
  const top = p.top;
  const bottom = box.height - p.bottom;
  const span = box.width - p.left - p.right;
  const axes = fields.map((spec, i) =>
    buildAxis(
      spec,
      items.map((it) => it[spec.name]),
      p.left + (fields.length === 1 ? span / 2 : (i / (fields.length - 1)) * span),
      top,
      bottom,
    ),
  );
  const colorValues = colorBy ? items.map((it) => it[colorBy]).filter(isNumber) : [];
  const cLo = Math.min(...colorValues);
  const cHi = Math.max(...colorValues);
  const lines = items.map((item, index) => {
    const cv = colorBy ? item[colorBy] : null;
    let t = isNumber(cv) ? (cHi === cLo ? 0.5 : (cv - cLo) / (cHi - cLo)) : null;
    if (t !== null && colorSteps > 1) t = Math.round(t * (colorSteps - 1)) / (colorSteps - 1);
    return {
      index,
      points: axes.map((axis) => ({ x: axis.x, y: axis.place(item[axis.name]) })),
      color: rampColor(t),
    };
  });
  return { axes, lines };
}

/** Where a line is drawn: a canvas 2D context, or anything with its two path calls. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}

/** Adds one line's path to ``sink``, lifting the pen over missing values (``y`` null). */
export function traceLine(sink: PathSink, points: Line["points"]): void {
  let pen = false;
  for (const pt of points) {
    if (pt.y === null) {
      pen = false;
      continue;
    }
    if (pen) sink.lineTo(pt.x, pt.y);
    else sink.moveTo(pt.x, pt.y);
    pen = true;
  }
}
