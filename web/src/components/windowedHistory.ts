// The metric series of a run, and of the runs drawn over it, for the charts near the viewport
// only: their keys fetched in batches as they come near (`keys=`), held in a bounded cache per
// run (lib/seriesCache.ts), and while live kept up to date every 1.5 s by asking each key for what
// was appended since it was fetched (`since=`). Changing `x` starts all over.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { MetricsAnswer } from "../api";
import { keyBatches } from "../lib/chartWindow";
import type { RunHistory } from "../lib/series";
import { SeriesCache } from "../lib/seriesCache";

const POLL_MS = 1500;
/** Keys per request, and about how many characters of keys (they travel in the URL). */
const BATCH_KEYS = 48;
const BATCH_CHARS = 3000;
/** Series kept per run: the near charts' and the most recently seen others'. */
const CACHED_KEYS = 600;

export type KeysFetcher = (run: string, opts: { x: string; keys: string[]; since?: number }) => Promise<MetricsAnswer>;

export interface WindowedHistory {
  /** Per run key, once it answered: every metric key of the run and the fetched series. */
  runs: Record<string, RunHistory>;
  /** The last error per run key (a run that went away, a viewer that stopped answering). */
  errors: Record<string, string>;
  /** Which keys to fetch and keep up to date (the charts near the viewport, in page order). It
   *  re-renders nothing: the page re-renders when their series come. */
  want: (keys: string[]) => void;
}

export function useWindowedHistory(runKeys: string[], x: string, fetcher: KeysFetcher, live: boolean): WindowedHistory {
  const caches = useRef(new Map<string, SeriesCache>());
  const shownX = useRef(x);
  const wasLive = useRef(live);
  const wantedRef = useRef<string[]>([]);
  const wake = useRef<() => void>(() => undefined);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const want = useMemo(
    () => (keys: string[]) => {
      wantedRef.current = keys;
      wake.current();
    },
    [],
  );

  useEffect(() => {
    let alive = true;
    if (shownX.current !== x) caches.current.clear();
    shownX.current = x;
    for (const k of [...caches.current.keys()]) if (!runKeys.includes(k)) caches.current.delete(k);
    for (const k of runKeys) if (!caches.current.has(k)) caches.current.set(k, new SeriesCache(CACHED_KEYS));
    setErrors({});
    setVersion((v) => v + 1);
    const failedAt = new Map<string, number>();
    let lastPoll = Date.now();
    // a run that just ended: what it wrote since the last poll is fetched once more
    let finalPoll = wasLive.current && !live;
    wasLive.current = live;

    const fetchInto = async (run: string, keys: string[], since?: number) => {
      const cache = caches.current.get(run);
      if (!cache) return;
      try {
        const answer = await fetcher(run, { x, keys, since });
        if (!alive) return;
        const before = cache.history();
        cache.apply(keys, answer, since);
        const keep = new Set(wantedRef.current);
        cache.touch(wantedRef.current);
        cache.evict(keep);
        failedAt.delete(run);
        setErrors((old) => (run in old ? withoutKey(old, run) : old));
        if (cache.history() !== before) setVersion((v) => v + 1);
      } catch (e) {
        if (!alive) return;
        failedAt.set(run, Date.now());
        setErrors((old) => ({ ...old, [run]: String((e as Error).message ?? e) }));
      }
    };
    const canAsk = (run: string) => (failedAt.get(run) ?? -Infinity) + POLL_MS <= Date.now();
    // the first batch of near keys not fetched yet, the shown run's before the overlaid ones'
    const nextMissing = (): [string, string[]] | null => {
      for (const run of runKeys) {
        const cache = caches.current.get(run);
        if (!cache || !canAsk(run)) continue;
        const missing = cache.missing(wantedRef.current);
        if (missing.length > 0) return [run, keyBatches(missing, BATCH_KEYS, BATCH_CHARS)[0]];
      }
      return null;
    };
    const pollAll = async () => {
      for (const run of runKeys) {
        const cache = caches.current.get(run);
        if (!cache || !canAsk(run)) continue;
        for (const group of cache.staleGroups(wantedRef.current)) {
          for (const batch of keyBatches(group.keys, BATCH_KEYS, BATCH_CHARS)) {
            if (alive) await fetchInto(run, batch, group.since);
          }
        }
      }
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
        wake.current = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = async () => {
      while (alive) {
        const job = nextMissing();
        if (job) {
          await fetchInto(...job);
          continue;
        }
        if (finalPoll) {
          finalPoll = false;
          await pollAll();
          continue;
        }
        const now = Date.now();
        const pollIn = live ? lastPoll + POLL_MS - now : Infinity;
        if (pollIn <= 0) {
          lastPoll = now;
          await pollAll();
          continue;
        }
        const retryIn = Math.min(...[...failedAt.values()].map((t) => t + POLL_MS - now));
        await sleep(Math.max(0, Math.min(pollIn, retryIn)));
      }
    };
    loop();
    return () => {
      alive = false;
      wake.current();
      wake.current = () => undefined;
    };
  }, [runKeys.join(","), x, live, fetcher]);

  const runs = useMemo(() => {
    const out: Record<string, RunHistory> = {};
    for (const [k, cache] of caches.current) if (cache.answered) out[k] = cache.history();
    return out;
  }, [version]);
  return { runs, errors, want };
}

function withoutKey(old: Record<string, string>, key: string): Record<string, string> {
  const out = { ...old };
  delete out[key];
  return out;
}
