// Grouped charts: the viewer sends, per group, the mean and a band (min–max or mean ± std) of a
// metric over a shared x. This lays the groups out for uPlot: one mean line per group and its two
// band edges, with a `bands` pair filling between them. Not grouped (one group per run), a run is one
// line and no band. Where the number of runs a mean averages changes along x, a mark says it.
import { alignSeries } from "./series";

export interface MetricGroup {
  value: unknown;
  label: string;
  runs: string[];
  x: number[];
  mean: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  /** How many runs each mean averages (at each x). */
  count?: number[];
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

/** One line per run (groups of one run each, no `by`): its values, no band; a run that did not
 *  log the metric has no line. */
export function runLines(all: MetricGroup[]): GroupedData {
  const kept = all.flatMap((g, i) => (g.x.length > 0 ? [i] : []));
  const series = kept.map((i) => ({ x: all[i].x, y: all[i].mean }));
  return {
    names: kept.map((i) => all[i].label),
    data: series.length ? alignSeries(series) : [[]],
    bands: [],
    groupOf: kept, // a run keeps its colour on every chart
  };
}

export interface CountMark {
  /** The group (0-based). */
  group: number;
  x: number;
  /** Runs averaged from this x on. */
  runs: number;
}

/** Where each group's run count changes along x (its first x included when the count there is not
 *  all of its runs, or it changes later): "n=3" is drawn there. */
export function countMarks(groups: MetricGroup[]): CountMark[] {
  const out: CountMark[] = [];
  groups.forEach((g, group) => {
    const count = g.count ?? [];
    const changes = count.some((n, i) => i > 0 && n !== count[i - 1]);
    count.forEach((n, i) => {
      if (i === 0 ? changes || n !== g.runs.length : n !== count[i - 1]) out.push({ group, x: g.x[i], runs: n });
    });
  });
  return out;
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
