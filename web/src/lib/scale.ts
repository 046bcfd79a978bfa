// Scales for the scatter plot: numbers on a linear scale with round ticks, anything else as
// categories spread evenly in sorted order.
import { categoryLabel, formatTick, type Cell } from "./parallel";

export interface Scale {
  kind: "number" | "category";
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

/** A scale of `values` onto pixels from `start` to `end` (`end` may be smaller: a y axis). */
export function scaleOf(values: Cell[], start: number, end: number): Scale {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every(isNumber)) {
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
