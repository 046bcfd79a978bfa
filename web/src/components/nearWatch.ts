// What of a page of charts is in or near the viewport: one IntersectionObserver per kind of thing
// watched (blocks of charts, single charts), with a margin so a thing is ready a little before it
// scrolls in. Each watched element hears whether it is near; the page can hear the near keys in
// page order (the charts whose series to fetch).
import { useEffect, useMemo, useRef } from "preact/hooks";
import { nearInOrder } from "../lib/chartWindow";

export interface NearWatch {
  /** Watches an element standing for `key`; the returned function stops watching it. */
  observe(el: Element, key: string, onNear: (near: boolean) => void): () => void;
  /** The height the element of `key` had when it was last near (its stand-in keeps it, so the
   *  page does not jump). */
  heightOf(key: string): number | undefined;
}

/**
 * A watch with `marginPx` above and below the viewport. With `onNear`, it reports the near keys
 * in the order of `order` each time they change (coalesced over a frame).
 */
export function useNearWatch(marginPx: number, order: string[] = [], onNear?: (keys: string[]) => void): NearWatch {
  const orderRef = useRef(order);
  orderRef.current = order;
  const onNearRef = useRef(onNear);
  onNearRef.current = onNear;

  const watch = useMemo(() => {
    const watched = new Map<Element, { key: string; onNear: (near: boolean) => void }>();
    const nearKeys = new Set<string>();
    const heights = new Map<string, number>();
    let reported = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      if (!onNearRef.current) return;
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
            const w = watched.get(e.target);
            if (!w || e.isIntersecting === nearKeys.has(w.key)) continue;
            if (e.isIntersecting) nearKeys.add(w.key);
            else {
              const h = (e.target as HTMLElement).offsetHeight;
              if (h > 0) heights.set(w.key, h);
              nearKeys.delete(w.key);
            }
            w.onNear(e.isIntersecting);
          }
          report();
        },
        { rootMargin: `${marginPx}px 0px` },
      ));
    return {
      api: {
        observe(el: Element, key: string, onNear: (near: boolean) => void) {
          watched.set(el, { key, onNear });
          io().observe(el);
          return () => {
            observer?.unobserve(el);
            watched.delete(el);
            if (nearKeys.delete(key)) report();
          };
        },
        heightOf: (key: string) => heights.get(key),
      } as NearWatch,
      report,
      stop: () => {
        clearTimeout(timer);
        observer?.disconnect();
      },
    };
  }, []);

  useEffect(() => watch.report(), [order.join("\u0000")]);
  useEffect(() => watch.stop, []);
  return watch.api;
}
