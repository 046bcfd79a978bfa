// The metric series of one run as a page of many charts holds them: fetched a few keys at a time
// (the charts near the viewport), each key remembering the events offset it is up to date with,
// so a live poll asks each key only for the rows appended since; at most `maxKeys` keys are kept
// (the least recently used ones not on screen are dropped and fetched again when they come back).
import { appendSeries, appendStages, type RunHistory, type Series, type Stage } from "./series";

/** An answer of the metrics endpoint (docs/api.md#metrics) as far as the cache reads it. */
export interface KeysAnswer {
  /** Every metric key of the run. */
  keys: string[];
  /** The asked keys' series (a key the run does not have answers an empty one). */
  series: Record<string, Series>;
  stages: Stage[];
  offset: number;
  restarted?: boolean;
}

interface Entry {
  offset: number;
  /** Absent while the run has no such key. */
  series?: Series;
}

/** Keys up to date with the same offset: one `since=` request asks for all of them. */
export interface StaleGroup {
  since: number;
  keys: string[];
}

export class SeriesCache {
  /** In use order: the least recently used first. */
  private entries = new Map<string, Entry>();
  private allKeys: string[] = [];
  private stages: Stage[] = [];
  private stagesOffset = -1;
  private view: RunHistory | null = null;
  private answers = 0;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether an answer came (the run exists and its key list is known). */
  get answered(): boolean {
    return this.answers > 0;
  }

  /** The keys of `keys` never fetched (or dropped since), in their order. */
  missing(keys: string[]): string[] {
    return keys.filter((k) => !this.entries.has(k));
  }

  /** The fetched keys of `keys` grouped by the offset they are up to date with. */
  staleGroups(keys: string[]): StaleGroup[] {
    const groups = new Map<number, string[]>();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      const list = groups.get(entry.offset);
      if (list) list.push(key);
      else groups.set(entry.offset, [key]);
    }
    return [...groups.entries()].map(([since, list]) => ({ since, keys: list }));
  }

  /** Folds in an answer for `keys`: fetched whole (`since` undefined) or only what was appended. */
  apply(keys: string[], answer: KeysAnswer, since?: number): void {
    this.answers++;
    const whole = since === undefined || answer.restarted === true;
    const known = new Set(answer.keys);
    let changed = false;
    for (const key of keys) {
      const old = this.entries.get(key);
      if (!whole && (!old || old.offset !== since)) continue; // fetched again meanwhile
      const extra = answer.series[key];
      let series: Series | undefined;
      if (whole) series = known.has(key) && extra ? { x: extra.x, y: extra.y } : undefined;
      else series = known.has(key) || old?.series ? appendSeries(old?.series, extra) : undefined;
      if (series !== old?.series) changed = true;
      this.entries.delete(key);
      this.entries.set(key, { offset: answer.offset, series });
    }
    if (whole && (answer.restarted || answer.offset >= this.stagesOffset)) {
      this.stages = answer.stages;
      this.stagesOffset = answer.offset;
      changed = true;
    } else if (!whole && since === this.stagesOffset) {
      if (answer.stages.length > 0) {
        this.stages = appendStages(this.stages, answer.stages);
        changed = true;
      }
      this.stagesOffset = answer.offset;
    }
    if (!sameList(this.allKeys, answer.keys)) {
      this.allKeys = answer.keys;
      changed = true;
    }
    if (changed) this.view = null;
  }

  /** Marks `keys` as just used (kept longest). */
  touch(keys: string[]): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
  }

  /** Drops the least recently used keys, never one of `keep`, until at most `maxKeys` remain. */
  evict(keep: Set<string>): void {
    if (this.entries.size <= this.maxKeys) return;
    for (const key of [...this.entries.keys()]) {
      if (this.entries.size <= this.maxKeys) break;
      if (keep.has(key)) continue;
      this.entries.delete(key);
      this.view = null;
    }
  }

  /** What the page draws: every key of the run (from the last answer), the fetched series, the
   *  stages. The same object until something changes (a quiet poll does not redraw). */
  history(): RunHistory {
    if (this.view) return this.view;
    const series: Record<string, Series> = {};
    for (const [key, entry] of this.entries) if (entry.series) series[key] = entry.series;
    this.view = { keys: this.allKeys, series, stages: this.stages };
    return this.view;
  }
}

function sameList(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
