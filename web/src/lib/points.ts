// Values a line chart would not show: uPlot draws lines between values and, by default, no dots,
// so a value with nothing to join to (a test accuracy logged once) would be invisible.

/**
 * Indices of the values no line passes through. With gaps spanned (a line joins values across
 * missing ones) that is a series' only value; otherwise each value whose neighbours are missing.
 */
export function lonePoints(ys: ArrayLike<number | null | undefined>, spanGaps: boolean): number[] {
  const present = (i: number) => i >= 0 && i < ys.length && ys[i] !== null && ys[i] !== undefined;
  if (spanGaps) {
    let only = -1;
    for (let i = 0; i < ys.length; i++) {
      if (!present(i)) continue;
      if (only >= 0) return [];
      only = i;
    }
    return only >= 0 ? [only] : [];
  }
  const lone: number[] = [];
  for (let i = 0; i < ys.length; i++) if (present(i) && !present(i - 1) && !present(i + 1)) lone.push(i);
  return lone;
}
