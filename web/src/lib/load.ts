// Loading one answer from the viewer: fetched now and, with `everyMs`, again and again; once
// stopped, an answer still on its way is dropped (the page has moved on).

/** What one fetch gave: the value, or what it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Starts fetching; returns the function that stops it. With `everyMs` it fetches again that often
 * until an answer satisfies `until` (a run that has ended: nothing more will come).
 */
export function startLoading<T>(
  fetch: () => Promise<T>,
  onOutcome: (outcome: Outcome<T>) => void,
  everyMs?: number,
  until?: (value: T) => boolean,
): () => void {
  let alive = true;
  let timer: ReturnType<typeof setInterval> | undefined;
  const load = () =>
    fetch().then(
      (value) => {
        if (!alive) return;
        if (until?.(value)) clearInterval(timer);
        onOutcome({ ok: true, value });
      },
      (error) => alive && onOutcome({ ok: false, error }),
    );
  timer = everyMs ? setInterval(load, everyMs) : undefined;
  load();
  return () => {
    alive = false;
    clearInterval(timer);
  };
}

/** The text a page shows for a failed fetch. */
export function errorMessage(error: unknown): string {
  return String((error as Error | null)?.message ?? error);
}
