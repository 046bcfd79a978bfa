// The metric histories of some runs, kept up to date by fetching only what was appended (`since=`).
import { useEffect, useRef, useState } from "preact/hooks";
import type { MetricsAnswer } from "../api";
import { EMPTY_HISTORY, mergeBatch, type RunHistory } from "../lib/series";

const POLL_MS = 1500;

export type Fetcher = (key: string, opts: { x: string; since?: number }) => Promise<MetricsAnswer>;

export interface LiveHistory {
  runs: Record<string, RunHistory>;
  /** The last error per run key (a run that went away, a viewer that stopped answering). */
  errors: Record<string, string>;
}

/**
 * Polls every run in `keys` each 1.5 s while `live` (once otherwise). Adding a key fetches that
 * run's whole history and keeps the others as they are; changing `x` starts all over.
 */
export function useLiveHistory(keys: string[], x: string, fetcher: Fetcher, live: boolean): LiveHistory {
  const [state, setState] = useState<LiveHistory>({ runs: {}, errors: {} });
  const offsets = useRef(new Map<string, number>());
  const shownX = useRef(x);
  const joined = keys.join(",");

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (shownX.current !== x) offsets.current.clear();
    shownX.current = x;
    for (const k of [...offsets.current.keys()]) if (!keys.includes(k)) offsets.current.delete(k);
    const kept = (runs: Record<string, RunHistory>) =>
      Object.fromEntries(keys.filter((k) => offsets.current.has(k) && runs[k]).map((k) => [k, runs[k]]));
    setState((old) => ({ runs: kept(old.runs), errors: {} }));

    const pollOne = async (key: string) => {
      const since = offsets.current.get(key);
      try {
        const ans = await fetcher(key, { x, since });
        if (!alive) return;
        offsets.current.set(key, ans.offset);
        setState((old) => {
          const merged = mergeBatch(old.runs[key] ?? EMPTY_HISTORY, ans, since);
          if (merged === old.runs[key] && !(key in old.errors)) return old;
          const errors = { ...old.errors };
          delete errors[key];
          return { runs: { ...old.runs, [key]: merged }, errors };
        });
      } catch (e) {
        if (alive) setState((old) => ({ ...old, errors: { ...old.errors, [key]: String((e as Error).message ?? e) } }));
      }
    };
    const poll = async () => {
      await Promise.all(keys.map(pollOne));
      if (alive && live) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [joined, x, live]);

  return state;
}
