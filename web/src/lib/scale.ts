// Scales for the scatter plot: numbers on a linear scale with round ticks (or, when asked and all
// are > 0, a log scale with ticks at powers of ten), anything else as categories spread evenly in
// sorted order.
import { categoryLabel, formatTick, logTicks, rampColor, type Cell } from "./parallel";

export interface Scale {
  kind: "number" | "category";
  /** True for a log scale. */
  log?: boolean;
  /** Pixel position of a value; null when it cannot be placed. */
  place: (v: Cell) => number | null;
  ticks: { label: string; at: number }[];
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const step = mag * (r >= 7.07 ? 10 : r >= 3.16 ? 5 : r >= 1.41 ? 2 : 1); // the nearest of 1, 2, 5, 10
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function isNumber(v: Cell): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function logScale(nums: number[], start: number, end: number): Scale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of nums) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let a = Math.log10(lo);
  let b = Math.log10(hi);
  if (a === b) {
    a -= 0.5;
    b += 0.5;
  }
  const pad = (b - a) * 0.05;
  a -= pad;
  b += pad;
  const px = (v: number) => start + ((Math.log10(v) - a) / (b - a)) * (end - start);
  return {
    kind: "number",
    log: true,
    place: (v) => (isNumber(v) && v > 0 ? px(v) : null),
    ticks: logTicks(10 ** a, 10 ** b).map((v) => ({ label: formatTick(v), at: px(v) })),
  };
}

/** A scale of `values` onto pixels from `start` to `end` (`end` may be smaller: a y axis); `log`
 *  asks for a log scale, given when every number is > 0 (else the scale stays linear). */
export function scaleOf(values: Cell[], start: number, end: number, log = false): Scale {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every(isNumber)) {
    if (log && (present as number[]).every((v) => v > 0)) return logScale(present as number[], start, end);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of present as number[]) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const px = (v: number) => start + ((v - lo) / (hi - lo)) * (end - start);
    return {
      kind: "number",
      place: (v) => (isNumber(v) ? px(v) : null),
      ticks: niceTicks(lo, hi).map((v) => ({ label: formatTick(v), at: px(v) })),
    };
  }
  const cats = [...new Set(present.map(categoryLabel))].sort();
  const at = (i: number) => (cats.length === 1 ? (start + end) / 2 : start + ((i + 0.5) / cats.length) * (end - start));
  return {
    kind: "category",
    place: (v) => {
      const i = v === null || v === undefined ? -1 : cats.indexOf(categoryLabel(v));
      return i < 0 ? null : at(i);
    },
    ticks: cats.map((label, i) => ({ label, at: at(i) })),
  };
}

/** Hues for categories, told apart at a glance; past the last, categories share grey. */
export const CATEGORY_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#b45309"];
const NO_VALUE = "rgb(150,150,150)";

export interface ColorScale {
  /** One colour per value (grey where it has none). */
  colors: string[];
  kind: "number" | "category";
  /** Numbers: the lowest and highest value (blue to red). */
  range: [number, number] | null;
  /** Categories: each with its colour, in sorted order. */
  legend: { label: string; color: string }[];
}

/** Colours for points by a column: numbers from blue (low) to red (high), anything else one hue
 *  per category (sorted; past the tenth, grey); a missing value grey. */
export function colorScale(values: Cell[]): ColorScale {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every(isNumber)) {
    const nums = present as number[];
    const lo = nums.reduce((a, b) => Math.min(a, b));
    const hi = nums.reduce((a, b) => Math.max(a, b));
    const colors = values.map((v) => (isNumber(v) ? rampColor(hi === lo ? 0.5 : (v - lo) / (hi - lo)) : NO_VALUE));
    return { colors, kind: "number", range: [lo, hi], legend: [] };
  }
  const cats = [...new Set(present.map(categoryLabel))].sort();
  const hue = new Map(cats.map((c, i) => [c, CATEGORY_COLORS[i] ?? NO_VALUE]));
  const colors = values.map((v) => (v === null || v === undefined ? NO_VALUE : (hue.get(categoryLabel(v)) ?? NO_VALUE)));
  return { colors, kind: "category", range: null, legend: cats.map((label) => ({ label, color: hue.get(label) ?? NO_VALUE })) };
}
