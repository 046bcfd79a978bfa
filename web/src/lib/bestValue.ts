// The best value of a row of Compare: per the metric's goal (define_metric's, else the name's
// rule, both decided by the viewer: `goal` of GET /api/runs/columns).

export type Goal = "minimize" | "maximize";

/** The positions of the best number in `values` (every tie); none when fewer than two runs have a
 *  number there, when they all have the same one, or when the goal is unknown. */
export function bestIndexes(values: readonly unknown[], goal: Goal | undefined): number[] {
  if (!goal) return [];
  const numbers = values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
  const present = numbers.filter((v): v is number => v !== null);
  if (present.length < 2) return [];
  const best = goal === "minimize" ? Math.min(...present) : Math.max(...present);
  if (present.every((v) => v === best)) return [];
  return numbers.flatMap((v, i) => (v === best ? [i] : []));
}

/** The goals of `summary.<key>` columns, keyed by `<key>`. */
export function summaryGoals(columns: readonly { name: string; goal?: Goal }[]): Record<string, Goal> {
  const out: Record<string, Goal> = {};
  for (const c of columns) if (c.goal && c.name.startsWith("summary.")) out[c.name.slice("summary.".length)] = c.goal;
  return out;
}
