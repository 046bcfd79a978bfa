// The fetch-with-cancel effect of every page: an answer from the viewer, fetched when `deps`
// change (and every `everyMs` while shown), kept in state. A failed fetch keeps the last value and
// sets `error`; the next good one clears it. A `null` fetch does nothing (the answer isn't needed).
import { useEffect, useState } from "preact/hooks";
import { errorMessage, startLoading } from "../lib/load";

export interface Loaded<T> {
  data: T | null;
  /** The failed fetch's message, until a fetch succeeds. */
  error: string | null;
  /** What the failed fetch threw (an ApiError carries the status and hint). */
  cause: unknown;
  /** Fetch again now. */
  reload: () => void;
}

export interface LoadOptions<T = unknown> {
  /** Fetch again this often while the component is shown. */
  everyMs?: number;
  /** Stop fetching again once an answer says so (a run that has ended). */
  until?: (value: T) => boolean;
  /** Forget the value when `deps` change (show "loading" rather than the last answer). */
  reset?: boolean;
}

const EMPTY = { data: null, failed: false, cause: null };

export function useApi<T>(fetch: (() => Promise<T>) | null, deps: unknown[], options: LoadOptions<T> = {}): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; failed: boolean; cause: unknown }>(EMPTY);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!fetch) return;
    if (options.reset) setState(EMPTY);
    return startLoading(
      fetch,
      (o) => setState((old) => (o.ok ? { data: o.value, failed: false, cause: null } : { data: old.data, failed: true, cause: o.error })),
      options.everyMs,
      options.until,
    );
  }, [...deps, round]);
  return {
    data: state.data,
    error: state.failed ? errorMessage(state.cause) : null,
    cause: state.cause,
    reload: () => setRound((n) => n + 1),
  };
}
