// Histograms over steps as a heat map: each step's bins spread onto one shared grid of rows
// (by how much of each bin overlaps each row), then coloured by count.

export interface HistogramSteps {
  steps: number[];
  edges: number[][];
  counts: number[][];
}

export interface HeatGrid {
  cols: number; // one per step
  rows: number;
  lo: number; // the value at the bottom of the grid
  hi: number; // the value at its top
  cells: Float64Array; // cols × rows, column by column, row 0 at the bottom
  max: number;
}

/** The steps' histograms on a common grid of `rows` equal bins spanning every step's edges. */
export function heatGrid(h: HistogramSteps, rows: number): HeatGrid {
  const cols = h.steps.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const edges of h.edges) {
    if (edges.length < 2) continue;
    lo = Math.min(lo, edges[0]);
    hi = Math.max(hi, edges[edges.length - 1]);
  }
  if (!(hi > lo)) {
    lo = Number.isFinite(lo) ? lo - 0.5 : 0;
    hi = lo + 1;
  }
  const cells = new Float64Array(cols * rows);
  const rowHeight = (hi - lo) / rows;
  for (let c = 0; c < cols; c++) {
    const edges = h.edges[c];
    const counts = h.counts[c];
    for (let b = 0; b < counts.length; b++) {
      const a = edges[b];
      const z = edges[b + 1];
      const n = counts[b];
      if (!n || !(z > a)) continue;
      const first = Math.max(0, Math.floor((a - lo) / rowHeight));
      const last = Math.min(rows - 1, Math.ceil((z - lo) / rowHeight) - 1);
      for (let r = first; r <= last; r++) {
        const overlap = Math.min(z, lo + (r + 1) * rowHeight) - Math.max(a, lo + r * rowHeight);
        if (overlap > 0) cells[c * rows + r] += (n * overlap) / (z - a);
      }
    }
  }
  let max = 0;
  for (const v of cells) max = Math.max(max, v);
  return { cols, rows, lo, hi, cells, max };
}

/** The colour of a cell holding `fraction` (0..1) of the largest cell: transparent when empty,
 * then from a pale to a deep indigo. */
export function heatColour(fraction: number): [number, number, number, number] {
  if (!(fraction > 0)) return [0, 0, 0, 0];
  const t = Math.min(1, Math.sqrt(fraction)); // small counts stay visible
  const pale = [224, 231, 255];
  const deep = [49, 46, 129];
  return [0, 1, 2].map((i) => Math.round(pale[i] + (deep[i] - pale[i]) * t)).concat(255) as [
    number,
    number,
    number,
    number,
  ];
}

/** RGBA pixels of the grid, one pixel per cell, step on x, value on y (high values at the top). */
export function heatPixels(grid: HeatGrid): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(new ArrayBuffer(grid.cols * grid.rows * 4));
  for (let c = 0; c < grid.cols; c++) {
    for (let r = 0; r < grid.rows; r++) {
      const colour = heatColour(grid.max > 0 ? grid.cells[c * grid.rows + r] / grid.max : 0);
      const y = grid.rows - 1 - r;
      px.set(colour, (y * grid.cols + c) * 4);
    }
  }
  return px;
}
