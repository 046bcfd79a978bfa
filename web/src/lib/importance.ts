// Which parameters matter, in the research view: the parallel plot's axes in order of importance
// for the metric (from GET /api/research/importance), a log axis where a key's positive values span
// more than two decades, and the runs under the plot sorted by the metric, best first.
import type { Cell, FieldSpec } from "./parallel";

export interface ParameterRow {
  name: string;
  type: "number" | "bool" | "category";
  count: number;
  /** Share of the forest's impurity decrease (all keys sum to 1); null without the model. */
  importance: number | null;
  /** Pearson's correlation with the metric (on log10 of the value when `log`); null for categories. */
  correlation: number | null;
  log: boolean;
}

export interface ImportanceAnswer {
  metric: string;
  runs: number;
  used: number;
  model: string | null;
  /** How to install the model's library, when it is missing. */
  install: string | null;
  parameters: ParameterRow[];
}

/** More than two decades between the smallest and the largest value: a log axis. */
export const LOG_SPAN = 100;

/** True when every number among `values` is > 0 and they span more than two decades (learning
 *  rates); values that are not numbers (missing ones) are passed over, any other kind says no. */
export function wantsLog(values: Cell[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) return false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > 0 && hi / lo > LOG_SPAN * (1 + 1e-9); // exactly two decades, give or take rounding: linear
}

/** `keys` in the answer's order (most important first); keys it does not rank keep their order
 *  after those it does. */
export function rankKeys(keys: string[], answer: ImportanceAnswer | null): string[] {
  if (!answer) return keys;
  const rank = new Map(answer.parameters.map((p, i) => [p.name, i]));
  const at = (k: string) => rank.get(k) ?? Infinity;
  return keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => at(a.k) - at(b.k) || a.i - b.i)
    .map((x) => x.k);
}

/**
 * The parallel plot's config keys: the chosen ones ranked by importance; when none were chosen,
 * the `max` most important (else `fallback`, the keys that differ, until the answer comes).
 */
export function importantKeys(chosen: string[], fallback: string[], answer: ImportanceAnswer | null, max: number): string[] {
  if (chosen.length > 0) return rankKeys(chosen, answer);
  if (answer && answer.parameters.length > 0) return answer.parameters.slice(0, max).map((p) => p.name);
  return fallback;
}

/** The plot's field specs: a log axis for a field whose values `wantsLog`. */
export function parallelSpecs(fields: string[], columns: Record<string, Cell[]> | undefined): FieldSpec[] {
  return fields.map((name) => (columns && wantsLog(columns[name] ?? []) ? { name, scale: "log" } : { name }));
}

/** Row indices sorted by the metric, best first (`lowerFirst` for a loss); runs without a number
 *  for it last, in their order. */
export function sortByMetric(indices: number[], values: Cell[], lowerFirst: boolean): number[] {
  const num = (i: number) => {
    const v = values[i];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  return indices
    .map((i, at) => ({ i, at, v: num(i) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === null && b.v === null ? a.at - b.at : a.v === null ? 1 : -1;
      return (lowerFirst ? a.v - b.v : b.v - a.v) || a.at - b.at;
    })
    .map((x) => x.i);
}
