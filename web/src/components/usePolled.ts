// A value fetched now and again every `intervalMs` while the component is shown; a failed fetch
// keeps the last value (the next one may succeed).
import { useEffect, useState } from "preact/hooks";

export function usePolled<T>(fetch: () => Promise<T>, initial: T, deps: unknown[], intervalMs = 5000): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    let alive = true;
    const load = () => fetch().then((v) => alive && setValue(v), () => undefined);
    load();
    const id = setInterval(load, intervalMs);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, deps);
  return value;
}
