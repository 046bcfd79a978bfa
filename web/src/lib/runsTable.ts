// The Runs table's layout and sorting: the built-in columns (each can be hidden), which way a
// metric column sorts first (its goal: the best run on top), which columns stay in view while the
// table scrolls sideways, and the metric the groups aggregate.
import type { ColumnInfo } from "./columns";

/** The built-in columns after the name and the chosen ones, in their order. */
export const BUILTIN_COLUMNS = ["project", "id", "status", "tags", "started", "duration", "host"] as const;
export type BuiltinColumn = (typeof BUILTIN_COLUMNS)[number];

/** The sort field of a built-in column (null: not sortable). */
export const BUILTIN_SORT: Record<BuiltinColumn, string | null> = {
  project: "project",
  id: null,
  status: "status",
  tags: null,
  started: "created",
  duration: "duration",
  host: null,
};

/** The built-in columns shown: all but the hidden ones (unknown names in `hidden` are ignored). */
export function visibleBuiltins(hidden: readonly string[]): BuiltinColumn[] {
  return BUILTIN_COLUMNS.filter((c) => !hidden.includes(c));
}

export type Goal = "minimize" | "maximize";

/** A column's goal as the viewer lists it (number summary columns only); null for the rest. */
export function goalOf(column: string, columns: ColumnInfo[] | null): Goal | null {
  return columns?.find((c) => c.name === column)?.goal ?? null;
}

/** The sort after a click on `field`: the same field flips; another starts with its best first
 *  (ascending for a metric to minimize, else descending). */
export function nextSort(
  current: { sort: string; order: "asc" | "desc" },
  field: string,
  goal: Goal | null,
): { sort: string; order: "asc" | "desc" } {
  if (current.sort === field) return { sort: field, order: current.order === "desc" ? "asc" : "desc" };
  return { sort: field, order: goal === "minimize" ? "asc" : "desc" };
}

/** The left offsets (px) of the columns that stay in view when the table scrolls sideways, from
 *  the first: each while all of them together fit in `maxWidth`; null for the rest (they scroll). */
export function stickyOffsets(widths: number[], maxWidth: number): (number | null)[] {
  const out: (number | null)[] = [];
  let left = 0;
  let fits = true;
  for (const w of widths) {
    fits = fits && left + w <= maxWidth;
    out.push(fits ? left : null);
    left += w;
  }
  return out;
}

/** The metric a grouped table aggregates: the sort field when it is a shown summary column, else
 *  the first shown summary column, else none (""). */
export function groupMetric(sort: string, shown: string[]): string {
  if (sort.startsWith("summary.") && shown.includes(sort)) return sort;
  return shown.find((c) => c.startsWith("summary.")) ?? "";
}

/** Whether a run's label says more than its row already does: a label is the name then the config
 *  keys that differ (`sweep lr=0.001 optimizer=adamw`); when each of those keys has its own column,
 *  the label only repeats them and is left out of the row. */
export function labelSaysMore(name: string, label: string | undefined, shown: readonly string[]): boolean {
  if (!label || label === name) return false;
  if (!label.startsWith(`${name} `)) return true;
  return label
    .slice(name.length + 1)
    .split(" ")
    .some((part) => {
      const at = part.indexOf("=");
      return at <= 0 || !shown.includes(`config.${part.slice(0, at)}`);
    });
}
