// The window of a page of many charts: its sections (keys grouped by prefix, narrowed by the
// filter, folded or open), which charts are near the viewport (the ones drawn and fetched), and
// how the keys to fetch are cut into requests.
import { filterKeys } from "./metricFilter";
import { groupByPrefix } from "./series";

export interface ChartSection {
  /** The part of the keys before the first `/`; "" for keys without one. */
  prefix: string;
  /** The keys the filter keeps, sorted. */
  keys: string[];
  folded: boolean;
}

/** The sections of a page: keys grouped by prefix, filtered, with their fold state. A section the
 *  filter leaves empty is left out. */
export function chartSections(keys: string[], filter: string, folded: Set<string>): ChartSection[] {
  return groupByPrefix(filterKeys(keys, filter)).map(([prefix, list]) => ({
    prefix,
    keys: list,
    folded: folded.has(prefix),
  }));
}

/** The keys of the open sections, in page order (the order charts are laid out). */
export function shownKeys(sections: ChartSection[]): string[] {
  return sections.flatMap((s) => (s.folded ? [] : s.keys));
}

/** The near keys in page order (the first ones on screen are fetched first). */
export function nearInOrder(pageOrder: string[], near: Set<string>): string[] {
  return near.size === 0 ? [] : pageOrder.filter((k) => near.has(k));
}

/**
 * `keys` cut into requests of at most `maxKeys` keys and about `maxChars` characters of keys
 * (the keys travel in the URL); a key longer than `maxChars` goes alone.
 */
export function keyBatches(keys: string[], maxKeys: number, maxChars: number): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let chars = 0;
  for (const key of keys) {
    if (batch.length > 0 && (batch.length >= maxKeys || chars + key.length + 1 > maxChars)) {
      out.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(key);
    chars += key.length + 1;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
