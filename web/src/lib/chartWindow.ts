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

/** `keys` cut into blocks of `size` charts (the page lays out and releases a block at a time). */
export function chartBlocks(keys: string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += size) out.push(keys.slice(i, i + size));
  return out;
}

/** The columns of a CSS grid `repeat(auto-fill, minmax(minColumnPx, 1fr))` `widthPx` wide. */
export function gridColumns(widthPx: number, minColumnPx: number, gapPx: number): number {
  return Math.max(1, Math.floor((widthPx + gapPx) / (minColumnPx + gapPx)));
}

/** The height of a grid of `count` items of `rowPx` in `columns` columns. */
export function gridHeightPx(count: number, columns: number, rowPx: number, gapPx: number): number {
  const rows = Math.ceil(count / Math.max(1, columns));
  return rows === 0 ? 0 : rows * rowPx + (rows - 1) * gapPx;
}
