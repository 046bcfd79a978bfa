// Outlier clipping of a chart's y axis: the range of the values between two quantiles (5 % and 95 %
// by default), widened by a tenth on each side, so one spike does not flatten every line (W&B's
// "ignore outliers"). Values outside are drawn off the chart.

const MIN_VALUES = 10; // fewer values: nothing to call an outlier
const PAD = 0.1;

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** The y range that leaves the outliers of `series` out, or null where there is none to leave out
 *  (few values, all inside the range anyway, or all the same). `positive`: for a log axis. */
export function clippedRange(series: ArrayLike<number | null>[], lo = 0.05, hi = 0.95, positive = false): [number, number] | null {
  const values: number[] = [];
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (v !== null && Number.isFinite(v) && (!positive || v > 0)) values.push(v);
    }
  }
  if (values.length < MIN_VALUES) return null;
  values.sort((a, b) => a - b);
  const a = quantile(values, lo);
  const b = quantile(values, hi);
  if (!(b > a)) return null;
  if (positive) {
    const [la, lb] = [Math.log10(a), Math.log10(b)];
    const pad = (lb - la) * PAD;
    const range: [number, number] = [10 ** (la - pad), 10 ** (lb + pad)];
    return range[0] <= values[0] && range[1] >= values[values.length - 1] ? null : range;
  }
  const pad = (b - a) * PAD;
  const range: [number, number] = [a - pad, b + pad];
  return range[0] <= values[0] && range[1] >= values[values.length - 1] ? null : range;
}
