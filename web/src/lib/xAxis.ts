// The x axis of a run's charts: step, time, elapsed, or any logged metric. A run written through
// runicorn.wandb records define_metric(step_metric=...) in meta.metrics (docs/format.md); its
// charts are drawn against that metric unless the user picks another axis.

export const BUILTIN_X = ["step", "time", "elapsed"] as const;

export interface MetricDefinition {
  step_metric?: string;
  hidden?: boolean;
}

function globMatch(pattern: string, key: string): boolean {
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(key);
}

/** The definition a logged key falls under: its own name, its dotted form (a/b -> a.b), else the
 *  most recently defined glob it matches (the last in the object's order). */
export function definitionOf(key: string, defs: Record<string, MetricDefinition> | undefined): MetricDefinition | undefined {
  if (!defs) return undefined;
  const dotted = key.split("/").join(".");
  if (defs[key]) return defs[key];
  if (defs[dotted]) return defs[dotted];
  const names = Object.keys(defs).filter((n) => n.includes("*"));
  for (let i = names.length - 1; i >= 0; i--) {
    if (globMatch(names[i], key) || globMatch(names[i], dotted)) return defs[names[i]];
  }
  return undefined;
}

/** The run's default x axis: the step_metric most of its charted keys are defined against (a key
 *  is never counted against itself), else "step". */
export function defaultX(keys: string[], defs: Record<string, MetricDefinition> | undefined): string {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const metric = definitionOf(key, defs)?.step_metric;
    if (metric && metric !== key && keys.includes(metric)) counts.set(metric, (counts.get(metric) ?? 0) + 1);
  }
  let best = "step";
  let most = 0;
  for (const [metric, n] of counts) {
    if (n > most) [best, most] = [metric, n];
  }
  return best;
}

/** The axes to offer: the built-in ones, then every logged metric key. */
export function xChoices(keys: string[]): string[] {
  return [...BUILTIN_X, ...keys.filter((k) => !(BUILTIN_X as readonly string[]).includes(k))];
}

/** The keys to chart against x: a metric is not charted against itself. */
export function chartedKeys(keys: string[], x: string): string[] {
  return keys.filter((k) => k !== x);
}
