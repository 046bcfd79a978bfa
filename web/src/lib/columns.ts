// Run columns: `config.<key>` and `summary.<key>` (nested keys flattened as `a.b`), as the viewer
// lists them (GET /api/runs/columns), the chooser's search, the "differs" filter, and the config
// diff of a few runs.

export interface ColumnInfo {
  name: string;
  type: "number" | "string" | "bool" | "mixed";
  count: number;
  distinct: number;
  differs: boolean;
  /** Number summary columns: which way is better (define_metric's goal, else the name's rule). */
  goal?: "minimize" | "maximize";
  goal_from?: "define_metric" | "name";
}

/** Nested objects flattened to dotted keys: `{a: {b: 1}}` -> `{"a.b": 1}`; arrays stay values. */
export function flatten(obj: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
      Object.assign(out, flatten(v as Record<string, unknown>, name));
    } else out[name] = v;
  }
  return out;
}

/** The chooser's list: every search word must appear in the name (any case); with `differsOnly`,
 *  config columns whose value is the same in every listed run are left out. */
export function filterColumns(columns: ColumnInfo[], search: string, differsOnly: boolean): ColumnInfo[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return columns.filter(
    (c) =>
      words.every((w) => c.name.toLowerCase().includes(w)) &&
      !(differsOnly && c.name.startsWith("config.") && !c.differs),
  );
}

/** The columns the table shows: the chosen ones; with `differsOnly`, config columns only where
 *  they differ, and every differing config key after the chosen ones (at most `maxAdded`). A
 *  column the viewer did not list (yet) is kept. */
export function shownColumns(chosen: string[], columns: ColumnInfo[] | null, differsOnly: boolean, maxAdded = 20): string[] {
  if (!differsOnly || !columns) return chosen;
  const info = new Map(columns.map((c) => [c.name, c]));
  const kept = chosen.filter((name) => !name.startsWith("config.") || info.get(name)?.differs !== false);
  return [...kept, ...differingConfig(columns).filter((c) => !kept.includes(c)).slice(0, maxAdded)];
}

export const FIRST_VISIT_CONFIG_COLUMNS = 6;

/** The columns of a table nobody chose columns for yet: the config keys that differ between its
 *  runs (at most `max`), so that a first look shows what was varied, right after the names. */
export function firstVisitColumns(columns: ColumnInfo[] | null, max = FIRST_VISIT_CONFIG_COLUMNS): string[] {
  return differingConfig(columns ?? []).slice(0, max);
}

/** The differing config columns, for the "differs" toggle to show when nothing was chosen. */
export function differingConfig(columns: ColumnInfo[]): string[] {
  return columns.filter((c) => c.name.startsWith("config.") && c.differs).map((c) => c.name);
}

/** A value as a stable text for comparing (objects by their JSON, keys sorted). */
function valueKey(v: unknown): string {
  if (v === undefined) return "\u0000missing";
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return JSON.stringify(Object.keys(o).sort().map((k) => [k, valueKey(o[k])]));
  }
  return JSON.stringify(v);
}

export interface DiffRow {
  key: string;
  values: unknown[];
  differs: boolean;
}

/** Every key of the runs' (flattened) objects, sorted, each with its value per run and whether
 *  they differ (a key missing from some runs differs). */
export function diffRows(objects: Record<string, unknown>[]): DiffRow[] {
  const flat = objects.map((o) => flatten(o));
  const keys = [...new Set(flat.flatMap((o) => Object.keys(o)))].sort();
  return keys.map((key) => {
    const values = flat.map((o) => o[key]);
    return { key, values, differs: new Set(values.map(valueKey)).size > 1 };
  });
}

/** A run row's value of a column: the viewer's `values` when it sent them, else read from the
 *  row's summary (`summary.<key>`). */
export function columnValue(
  row: { values?: Record<string, unknown>; summary?: Record<string, unknown> },
  column: string,
): unknown {
  if (row.values && column in row.values) return row.values[column];
  if (column.startsWith("summary.")) return row.summary?.[column.slice("summary.".length)];
  return undefined;
}

/** The column name without its `config.` / `summary.` prefix, for a header. */
export function shortName(column: string): string {
  return column.replace(/^(config|summary)\./, "");
}

export const MAX_PLOT_KEYS = 8;

/** The parallel-coordinates plot's fields: the chosen config columns (else the config keys that
 *  differ, at most `MAX_PLOT_KEYS`), then the metric: the one picked, else the first chosen
 *  summary column, else the first summary column listed. */
export function plotFields(chosen: string[], columns: ColumnInfo[] | null, metric: string): { keys: string[]; metric: string } {
  const chosenConfig = chosen.filter((c) => c.startsWith("config."));
  const keys = chosenConfig.length ? chosenConfig : differingConfig(columns ?? []).slice(0, MAX_PLOT_KEYS);
  const summaries = (columns ?? []).filter((c) => c.name.startsWith("summary.")).map((c) => c.name);
  const picked = metric || chosen.find((c) => c.startsWith("summary.")) || summaries[0] || "";
  return { keys, metric: picked };
}

/** The table answer (`{keys, labels, columns: {name: values}}`) as one record per run. */
export function tableItems(table: { keys: string[]; columns: Record<string, (number | string | boolean | null)[]> }): Record<string, number | string | boolean | null>[] {
  const names = Object.keys(table.columns);
  return table.keys.map((_, i) => {
    const item: Record<string, number | string | boolean | null> = {};
    for (const n of names) item[n] = table.columns[n][i] ?? null;
    return item;
  });
}
