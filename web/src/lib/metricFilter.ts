// The "Filter metrics" box: which metric keys a typed filter keeps. Plain text keeps the keys that
// contain it (case-insensitive: `layer7/` keeps `layer7/m0`, not `layer17/m0`); text written as
// `/pattern/` is a regular expression (case-insensitive); an invalid one matches as plain text.

export type KeyMatcher = (key: string) => boolean;

export function keyMatcher(filter: string): KeyMatcher {
  const text = filter.trim();
  if (!text) return () => true;
  if (text.length > 2 && text.startsWith("/") && text.endsWith("/")) {
    try {
      const re = new RegExp(text.slice(1, -1), "i");
      return (key) => re.test(key);
    } catch {
      /* not a valid expression: match it as plain text below */
    }
  }
  const needle = text.toLowerCase();
  return (key) => key.toLowerCase().includes(needle);
}

/** The keys a filter keeps, in their order. */
export function filterKeys(keys: string[], filter: string): string[] {
  const match = keyMatcher(filter);
  return filter.trim() ? keys.filter(match) : keys;
}
