// The text values of a run's history (GET /api/runs/{key}/text-values): how a value reads in a
// cell, and which page of a key's values comes before or after the one shown (newest last).

/** A value as a cell shows it: text as it is, null as "null", a list as JSON; "…" when cut. */
export function valueText(value: unknown, cut = false): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
  return cut ? `${text}…` : text;
}

/** The start of the page of `limit` values before the one at `start`, or null at the first. */
export function olderStart(start: number, limit: number): number | null {
  return start <= 0 ? null : Math.max(0, start - limit);
}

/** The start of the page after the one at `start`: null for the newest page (which follows a
 * live run), also when the next page would reach the last value. */
export function newerStart(start: number, limit: number, count: number): number | null {
  const next = start + limit;
  return next + limit >= count ? null : next;
}

/** "first–last / count" of a page of `shown` values from `start` (1-based, as people count). */
export function pageRange(start: number, shown: number, count: number): string {
  return shown === 0 ? `0 / ${count}` : `${start + 1}–${start + shown} / ${count}`;
}
