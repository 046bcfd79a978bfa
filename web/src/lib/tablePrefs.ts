// What the Runs table remembers per project (a project's runs share their config keys and
// metrics): the chosen config and metric columns, and the built-in columns hidden. Kept in the
// browser's localStorage; the page's address overrides both (lib/viewState.ts).

const OLD_COLUMNS_KEY = "runicorn.summaryColumns"; // summary keys chosen before config columns existed

type Store = Pick<Storage, "getItem" | "setItem">;

function browserStore(): Store | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage blocked
  }
}

export function columnsKey(project: string): string {
  return `runicorn.columns.${project || "*"}`;
}

export function hiddenKey(project: string): string {
  return `runicorn.hiddenColumns.${project || "*"}`;
}

function readList(store: Store | null, key: string): string[] | null {
  try {
    const saved = store?.getItem(key);
    if (saved === null || saved === undefined) return null;
    const list = JSON.parse(saved);
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : null;
  } catch {
    return null;
  }
}

function writeList(store: Store | null, key: string, list: string[]): void {
  try {
    store?.setItem(key, JSON.stringify(list));
  } catch {
    /* private mode, or storage full */
  }
}

/** The project's chosen columns (`config.lr`, `summary.val/acc`); else the summary keys chosen
 *  before columns were kept per project; else none. */
export function rememberedColumns(project: string, store: Store | null = browserStore()): string[] {
  return columnChoice(project, store) ?? [];
}

/** As rememberedColumns, but null when no choice was ever made for the project (a first visit:
 *  the table then shows the config keys that differ, lib/columns.ts firstVisitColumns). */
export function columnChoice(project: string, store: Store | null = browserStore()): string[] | null {
  const saved = readList(store, columnsKey(project));
  if (saved !== null) return saved;
  return readList(store, OLD_COLUMNS_KEY)?.map((k) => `summary.${k}`) ?? null;
}

/** The columns whose config keys lead the names of `project`'s runs (lib/format.ts runLabel): its
 *  table's chosen columns, else those of the table of all projects. */
export function labelColumns(project: string, store: Store | null = browserStore()): string[] {
  const own = rememberedColumns(project, store);
  return own.length || !project ? own : rememberedColumns("", store);
}

export function rememberColumns(project: string, columns: string[], store: Store | null = browserStore()): void {
  writeList(store, columnsKey(project), columns);
}

/** The built-in columns (`project`, `id`, `host`, ...) the project's table hides. */
export function rememberedHidden(project: string, store: Store | null = browserStore()): string[] {
  return readList(store, hiddenKey(project)) ?? [];
}

export function rememberHidden(project: string, hidden: string[], store: Store | null = browserStore()): void {
  writeList(store, hiddenKey(project), hidden);
}
