// Metric series as the viewer API sends them, and the shapes uPlot draws.

export interface Series {
  x: number[];
  y: (number | null)[];
}

export interface Stage {
  stage: string;
  x_start: number;
  x_end: number;
}

/** Append rows fetched with `since=` to a series (rows arrive in x order after the old ones). */
export function appendSeries(old: Series | undefined, extra: Series | undefined): Series {
  if (!old) return { x: [...(extra?.x ?? [])], y: [...(extra?.y ?? [])] };
  if (!extra || extra.x.length === 0) return old;
  return { x: old.x.concat(extra.x), y: old.y.concat(extra.y) };
}

/** Merge stage spans: a stage continuing across an appended batch becomes one span. */
export function appendStages(old: Stage[], extra: Stage[]): Stage[] {
  const out = old.map((s) => ({ ...s }));
  for (const s of extra) {
    const last = out[out.length - 1];
    if (last && last.stage === s.stage) last.x_end = Math.max(last.x_end, s.x_end);
    else out.push({ ...s });
  }
  return out;
}

/** The metric history of one run as the page holds it. */
export interface RunHistory {
  keys: string[];
  series: Record<string, Series>;
  stages: Stage[];
}

export const EMPTY_HISTORY: RunHistory = { keys: [], series: {}, stages: [] };

/**
 * One answer of the metrics endpoint folded into what the page holds: a first answer (no `since`)
 * or a `restarted` one replaces it, a later one appends. Returns `old` itself when nothing changed,
 * so a quiet poll does not redraw.
 */
export function mergeBatch(
  old: RunHistory,
  batch: RunHistory & { restarted?: boolean },
  since: number | undefined,
): RunHistory {
  if (since === undefined || batch.restarted) return { keys: batch.keys, series: batch.series, stages: batch.stages };
  const grew = Object.values(batch.series).some((s) => s.x.length > 0);
  if (!grew && batch.keys.length === old.keys.length) return old;
  const series: Record<string, Series> = { ...old.series };
  for (const [k, s] of Object.entries(batch.series)) series[k] = appendSeries(old.series[k], s);
  return { keys: batch.keys, series, stages: appendStages(old.stages, batch.stages) };
}

/** Numbers in names in their order: `layer2` before `layer10`, `m9` before `m10`. */
const NATURAL = new Intl.Collator("en", { numeric: true });

/** Metric keys grouped by their prefix (`train/loss` -> `train`); keys without one go to "".
 *  Groups and keys in natural order (`layer2` before `layer10`). */
export function groupByPrefix(keys: string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const key of [...keys].sort(NATURAL.compare)) {
    const slash = key.indexOf("/");
    const prefix = slash > 0 ? key.slice(0, slash) : "";
    const list = groups.get(prefix);
    if (list) list.push(key);
    else groups.set(prefix, [key]);
  }
  return [...groups.entries()].sort((a, b) => (a[0] === "" ? -1 : b[0] === "" ? 1 : NATURAL.compare(a[0], b[0])));
}

/**
 * Several series on one shared x axis (uPlot wants one x array): the sorted union of all x values,
 * each series holding null where it has no point. Inputs must be sorted by x.
 */
export function alignSeries(list: Series[]): [number[], ...(number | null)[][]] {
  if (list.length === 1) return [list[0].x, list[0].y];
  const xs: number[] = [];
  const idx = list.map(() => 0);
  for (;;) {
    let next = Infinity;
    for (let s = 0; s < list.length; s++) {
      const i = idx[s];
      if (i < list[s].x.length && list[s].x[i] < next) next = list[s].x[i];
    }
    if (next === Infinity) break;
    xs.push(next);
    for (let s = 0; s < list.length; s++) {
      while (idx[s] < list[s].x.length && list[s].x[idx[s]] === next) idx[s]++;
    }
  }
  const ys = list.map((series) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    let j = 0;
    for (let i = 0; i < series.x.length; i++) {
      while (xs[j] < series.x[i]) j++;
      y[j] = series.y[i];
    }
    return y;
  });
  return [xs, ...ys];
}

/** Positive values only, for a log-scale axis (zero and negatives cannot be drawn). */
export function positiveOnly(y: (number | null)[]): (number | null)[] {
  return y.map((v) => (v !== null && v > 0 ? v : null));
}

/** Text that a spreadsheet would run as a formula (OWASP's CSV-injection advice): kept as text
 * with a leading `'`. Numbers are never escaped: -0.5 stays a number. */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(v: string | number | null): string {
  if (v === null) return "";
  const s = typeof v === "string" && FORMULA_START.test(v) ? `'${v}` : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The data of one chart as CSV: the x column, then one column per named series. */
export function chartCsv(xName: string, names: string[], data: [number[], ...(number | null)[][]]): string {
  const lines = [[xName, ...names].map(csvCell).join(",")];
  const [xs, ...ys] = data;
  for (let i = 0; i < xs.length; i++) {
    lines.push([xs[i], ...ys.map((y) => y[i])].map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * Stage spans worth drawing as phases: zero-width spans (a `val` record logged at the same step
 * as a `train` one) are dropped and neighbours of the same stage merged; a single phase is not
 * drawn at all (shading everything says nothing).
 */
export function stagePhases(stages: Stage[]): Stage[] {
  const out: Stage[] = [];
  for (const s of stages) {
    if (!s.stage || (s.x_end <= s.x_start && stages.length > 1)) continue;
    const last = out[out.length - 1];
    if (last && last.stage === s.stage) last.x_end = Math.max(last.x_end, s.x_end);
    else out.push({ ...s });
  }
  return out.length > 1 ? out : [];
}
