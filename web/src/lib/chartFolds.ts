// Which sections of a page of charts are folded (by prefix: `layer7`, `train`; "" for keys without
// one). Kept per project in the browser (localStorage), like the chart layout: a folded section
// stays folded on every run of the project and after a reload.

export function foldsStorageKey(scope: string): string {
  return `runicorn.chartFolds.${scope || "*"}`;
}

/** The folded prefixes a stored text names; none when the text is missing or not a list. */
export function parseFolds(text: string | null): Set<string> {
  try {
    const v = JSON.parse(text ?? "");
    return new Set(Array.isArray(v) ? v.filter((p: unknown) => typeof p === "string") : []);
  } catch {
    return new Set();
  }
}

export function serializeFolds(folded: Set<string>): string {
  return JSON.stringify([...folded].sort());
}

/** The folds with `prefix` folded if it was open, opened if it was folded. */
export function toggleFold(folded: Set<string>, prefix: string): Set<string> {
  const next = new Set(folded);
  if (next.has(prefix)) next.delete(prefix);
  else next.add(prefix);
  return next;
}
