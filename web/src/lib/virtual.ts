// Which rows of a long fixed-height list are on screen (virtual scrolling of the log tail).

export interface RowRange {
  start: number; // first row to render
  end: number; // one past the last row to render
}

export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 20,
): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(scrollTop, 0) / rowHeight);
  const count = Math.ceil(Math.max(viewportHeight, 0) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, total - 1));
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** Indices of lines containing `query` (case-insensitive); all lines when it is empty. */
export function matchingLines(lines: string[], query: string, strip: (s: string) => string): number[] {
  const q = query.trim().toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!q || strip(lines[i]).toLowerCase().includes(q)) out.push(i);
  }
  return out;
}
