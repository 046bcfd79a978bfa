// Which charts of a page are in or near the viewport: one IntersectionObserver (with a margin, so
// a chart is drawn a little before it scrolls in) watches every chart's slot; each slot hears
// whether it is near, the page hears the near keys in page order (the ones to fetch).
import { useEffect, useMemo, useRef } from "preact/hooks";
import { nearInOrder } from "../lib/chartWindow";

/** How far beyond the viewport, above and below, a chart counts as near. */
export const NEAR_MARGIN_PX = 800;

export interface NearCharts {
  /** Watches a chart's slot; the returned function stops watching it. */
  observe(el: Element, key: string, onNear: (near: boolean) => void): () => void;
  /** The height a chart had when last drawn (its placeholder keeps it, so the page does not jump). */
  heightOf(key: string): number | undefined;
}

export function useNearCharts(order: string[], onNear?: (keys: string[]) => void): NearCharts {
  const orderRef = useRef(order);
  orderRef.current = order;
  const onNearRef = useRef(onNear);
  onNearRef.current = onNear;

  const near = useMemo(() => {
    const slots = new Map<Element, { key: string; onNear: (near: boolean) => void }>();
    const nearKeys = new Set<string>();
    const heights = new Map<string, number>();
    let reported = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const keys = nearInOrder(orderRef.current, nearKeys);
        const joined = keys.join("\u0000");
        if (joined === reported) return;
        reported = joined;
        onNearRef.current?.(keys);
      }, 16);
    };
    let observer: IntersectionObserver | null = null;
    const io = () =>
      (observer ??= new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            const slot = slots.get(e.target);
            if (!slot || e.isIntersecting === nearKeys.has(slot.key)) continue;
            if (e.isIntersecting) nearKeys.add(slot.key);
            else {
              const h = (e.target as HTMLElement).offsetHeight;
              if (h > 0) heights.set(slot.key, h);
              nearKeys.delete(slot.key);
            }
            slot.onNear(e.isIntersecting);
          }
          report();
        },
        { rootMargin: `${NEAR_MARGIN_PX}px 0px` },
      ));
    return {
      api: {
        observe(el: Element, key: string, onNear: (near: boolean) => void) {
          slots.set(el, { key, onNear });
          io().observe(el);
          return () => {
            observer?.unobserve(el);
            slots.delete(el);
            if (nearKeys.delete(key)) report();
          };
        },
        heightOf: (key: string) => heights.get(key),
      } as NearCharts,
      report,
      stop: () => {
        clearTimeout(timer);
        observer?.disconnect();
      },
    };
  }, []);

  useEffect(() => near.report(), [order.join("\u0000")]);
  useEffect(() => near.stop, []);
  return near.api;
}
