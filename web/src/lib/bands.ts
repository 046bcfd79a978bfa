// Grouped charts: the viewer sends, per group, the mean and a band (min–max or mean ± std) of a
// metric over a shared x. This lays the groups out for uPlot: one mean line per group and its two
// band edges, with a `bands` pair filling between them.
import { alignSeries } from "./series";

export interface MetricGroup {
  value: unknown;
  label: string;
  runs: string[];
  x: number[];
  mean: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
}

export interface GroupedData {
  /** Series names in data order (after x): per group its mean, then the band's high and low edge. */
  names: string[];
  data: [number[], ...(number | null)[][]];
  /** 1-based uPlot series indices [high, low] for each group's band. */
  bands: [number, number][];
  /** The group (0-based) each series belongs to. */
  groupOf: number[];
}

export function groupedData(groups: MetricGroup[]): GroupedData {
  const series = groups.flatMap((g) => [
    { x: g.x, y: g.mean },
    { x: g.x, y: g.hi },
    { x: g.x, y: g.lo },
  ]);
  const names = groups.flatMap((g) => [`${g.label} (${g.runs.length})`, `${g.label} hi`, `${g.label} lo`]);
  const data: [number[], ...(number | null)[][]] = series.length ? alignSeries(series) : [[]];
  return {
    names,
    data,
    bands: groups.map((_, i) => [3 * i + 2, 3 * i + 3]),
    groupOf: groups.flatMap((_, i) => [i, i, i]),
  };
}
