// Room for a chart's tick labels, from their measured widths, so that no label is cut off
// (a learning rate of 1.000e-4 is wider than a loss of 0.5; step 12,000,000 wider than step 40).

/** uPlot's tick length and the gap between tick and label, in CSS pixels (its defaults). */
export const TICK_PX = 10;
export const GAP_PX = 5;
/** A pixel or two for anti-aliased glyph edges and rounding. */
const SPARE_PX = 2;

function widest(labelWidthsPx: readonly number[]): number {
  return labelWidthsPx.reduce((a, b) => Math.max(a, b), 0);
}

/** Width of a y axis: its widest label, the gap and the tick beside it; never under `minPx`. */
export function yAxisSize(labelWidthsPx: readonly number[], minPx: number): number {
  return Math.max(minPx, Math.ceil(widest(labelWidthsPx) + GAP_PX + TICK_PX + SPARE_PX));
}

/**
 * Room right of the plot: an x label is centred on its tick, so the last one, at the plot's right
 * edge, sticks out by half its width; never under `minPx`.
 */
export function xEdgePad(labelWidthsPx: readonly number[], minPx: number): number {
  return Math.max(minPx, Math.ceil(widest(labelWidthsPx) / 2 + SPARE_PX));
}

/**
 * Least distance between x ticks: the widest label with a gap of `gapPx` between neighbours,
 * so large step numbers (12,000,000) do not run into each other; never under `minPx`.
 */
export function xTickSpace(labelWidthsPx: readonly number[], minPx: number, gapPx = 12): number {
  return Math.max(minPx, Math.ceil(widest(labelWidthsPx) + gapPx));
}
