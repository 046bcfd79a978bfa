// The layout of a page of charts: which charts, in which order, and each one's size. Kept per
// project in the browser (localStorage); a chart the data no longer has is dropped, a new one is
// added at the end.

export interface ChartSize {
  /** Grid columns the chart spans (1–3). */
  span: number;
  height: number;
}

export interface ChartLayout {
  order: string[];
  sizes: Record<string, ChartSize>;
}

export const SIZES: Record<"s" | "m" | "l", ChartSize> = {
  s: { span: 1, height: 200 },
  m: { span: 1, height: 280 },
  l: { span: 2, height: 420 },
};
export const DEFAULT_SIZE = SIZES.m;
export const MIN_HEIGHT = 140;
export const MAX_HEIGHT = 900;
export const MAX_SPAN = 3;

export function layoutStorageKey(project: string): string {
  return `runicorn.chartLayout.${project || "*"}`;
}

/** A stored layout, or an empty one when the text is missing or not a layout. */
export function parseLayout(text: string | null): ChartLayout {
  try {
    const v = JSON.parse(text ?? "");
    const order = Array.isArray(v?.order) ? v.order.filter((k: unknown) => typeof k === "string") : [];
    const sizes: Record<string, ChartSize> = {};
    for (const [k, s] of Object.entries(v?.sizes ?? {})) {
      const size = s as Partial<ChartSize>;
      if (typeof size?.span === "number" && typeof size?.height === "number") sizes[k] = clampSize(size as ChartSize);
    }
    return { order, sizes };
  } catch {
    return { order: [], sizes: {} };
  }
}

export function clampSize(s: ChartSize): ChartSize {
  return {
    span: Math.min(MAX_SPAN, Math.max(1, Math.round(s.span))),
    height: Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(s.height))),
  };
}

/** Moves `key` by `delta` places (−1 up, +1 down), staying inside the list. */
export function moveBy(order: string[], key: string, delta: number): string[] {
  const from = order.indexOf(key);
  if (from < 0) return order;
  return moveTo(order, from, Math.min(order.length - 1, Math.max(0, from + delta)));
}

/** Moves the item at `from` to `to` (a drag and drop). */
export function moveTo(order: string[], from: number, to: number): string[] {
  if (from === to || from < 0 || from >= order.length) return order;
  const out = [...order];
  const [item] = out.splice(from, 1);
  out.splice(Math.min(Math.max(0, to), out.length), 0, item);
  return out;
}

/** The size a drag of the corner asks for: the new height, and as many columns as the new width
 *  covers (`column_px` a grid column with its gap). */
export function sizeFromDrag(start: ChartSize, dx: number, dy: number, startWidth: number, columnPx: number): ChartSize {
  return clampSize({ span: (startWidth + dx) / Math.max(1, columnPx), height: start.height + dy });
}
