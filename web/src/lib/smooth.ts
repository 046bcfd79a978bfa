// Debiased exponential moving average, as TensorBoard's smoothing slider computes it.
//
// A plain EMA started at 0 drags the first points toward 0; dividing by (1 - weight^n) removes
// that bias so the smoothed line starts on the data. Missing values (null / NaN / ±Infinity) stay
// missing and do not advance the average.

export function smoothEma(values: ArrayLike<number | null>, weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: (number | null)[] = new Array(values.length);
  if (w === 0) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === null || !Number.isFinite(y)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}
