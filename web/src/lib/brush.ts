// Brushing on parallel coordinates: a brush keeps the part [lo, hi] of an axis' height (0 is the
// bottom, 1 the top); an item is selected when it lies inside every brush (brushes AND together).
import type { Brush } from "./viewState";
import { layoutParallel, type Cell, type FieldSpec, type ParallelLayout } from "./parallel";

/** Where a y (pixels, top < bottom) lies along an axis: 0 at the bottom, 1 at the top. */
export function axisFraction(y: number, top: number, bottom: number): number {
  return bottom === top ? 0.5 : (bottom - y) / (bottom - top);
}

/** A brush from a drag between two y positions on an axis. */
export function brushFromDrag(field: string, y0: number, y1: number, top: number, bottom: number): Brush {
  const a = Math.min(1, Math.max(0, axisFraction(y0, top, bottom)));
  const b = Math.min(1, Math.max(0, axisFraction(y1, top, bottom)));
  return { field, lo: Math.min(a, b), hi: Math.max(a, b) };
}

/** Sets (or, when `brush` is null, removes) the brush of a field; one brush per axis. */
export function setBrush(brushes: Brush[], field: string, brush: Brush | null): Brush[] {
  const rest = brushes.filter((b) => b.field !== field);
  return brush ? [...rest, brush] : rest;
}

const EPS = 1e-9;

/** Indices of the lines inside every brush on an axis of the layout; every line when no brush
 *  applies. A line with no value on a brushed axis is outside it. */
export function selectedLines(layout: ParallelLayout, brushes: Brush[], top: number, bottom: number): Set<number> {
  const active = brushes
    .map((b) => ({ b, axis: layout.axes.findIndex((a) => a.name === b.field) }))
    .filter((x) => x.axis >= 0);
  const out = new Set<number>();
  for (const line of layout.lines) {
    let inside = true;
    for (const { b, axis } of active) {
      const y = line.points[axis].y;
      const f = y === null ? NaN : axisFraction(y, top, bottom);
      if (!(f >= b.lo - EPS && f <= b.hi + EPS)) {
        inside = false;
        break;
      }
    }
    if (inside) out.add(line.index);
  }
  return out;
}

const UNIT = { width: 100, height: 100, padding: { top: 0, right: 0, bottom: 0, left: 0 } };

/** Indices of the items inside every brush, the plot's fields laid out as the plot does (the
 *  selection depends on where values sit along an axis, not on the canvas' size). */
export function selectedRows(items: Record<string, Cell>[], fields: FieldSpec[], brushes: Brush[]): Set<number> {
  const layout = layoutParallel(items, fields, UNIT);
  return selectedLines(layout, brushes, 0, 100);
}

/** What the brushes keep, once: the rows (items' indices, for the plot and the list under it) and
 *  the same runs as a query of value ranges (`where`, for the viewer), so that the runs table
 *  pages, counts and groups every matching run inside the brushes, not only the page shown.
 *  `where` is null without brushes, or when a brushed field or value cannot be spelled in the
 *  query language (the table then keeps only the runs of its page that are inside). */
export function brushSelection(
  items: Record<string, Cell>[],
  fields: FieldSpec[],
  brushes: Brush[],
): { rows: Set<number>; where: string | null } {
  const layout = layoutParallel(items, fields, UNIT);
  const rows = selectedLines(layout, brushes, 0, 100);
  const parts: string[] = [];
  for (const brush of brushes) {
    const axis = layout.axes.find((a) => a.name === brush.field);
    if (!axis) continue;
    const inside = [...selectedLines(layout, [brush], 0, 100)].map((i) => items[i][brush.field]);
    const part = axis.kind === "number" ? rangeCondition(brush.field, inside) : categoryCondition(brush.field, inside);
    if (part === null) return { rows, where: null };
    parts.push(part);
  }
  const where = parts.join(" and ");
  return { rows, where: where && where.length <= MAX_QUERY_CHARS ? where : null };
}

// A field as the query language reads it (a word), and a condition no run passes.
const FIELD_WORD = /^[A-Za-z_][\w./:-]*$/;
const NO_RUN = "id in []";
const MAX_QUERY_CHARS = 2000; // the viewer's limit

/** Runs between the smallest and the largest value inside the brush: on a monotonic axis, every
 *  value between them lies inside it too. */
function rangeCondition(field: string, values: Cell[]): string | null {
  if (!FIELD_WORD.test(field)) return null;
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (nums.length === 0) return NO_RUN;
  return `${field} >= ${Math.min(...nums)} and ${field} <= ${Math.max(...nums)}`;
}

/** Runs whose value is one of the categories inside the brush ("–", no value, included). */
function categoryCondition(field: string, values: Cell[]): string | null {
  if (!FIELD_WORD.test(field)) return null;
  const literals = new Set<string>();
  let missing = false;
  for (const v of values) {
    if (v === null || v === undefined) missing = true;
    else if (typeof v === "string") literals.add(`"${v.replace(/[\\"]/g, "\\$&")}"`);
    else if (typeof v === "number" || typeof v === "boolean") literals.add(String(v));
    else return null; // a list or an object: no literal for it
  }
  const listed = literals.size ? `${field} in [${[...literals].join(", ")}]` : null;
  const absent = missing ? `${field} == null or not ${field} exists` : null;
  if (listed && absent) return `(${listed} or ${absent})`;
  return listed ?? (absent ? `(${absent})` : NO_RUN);
}
