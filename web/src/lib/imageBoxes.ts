// The bounding boxes wandb.Image stores beside an image (docs/wandb.md#data-types): a table
// `<image key>/boxes/<name>` logged at the image's step, one row per box, whose columns are
// minX, maxX, minY, maxY, domain ("pixel", else fractions of the image), class_id, label,
// box_caption. These turn its rows into rectangles in the image's own pixels.

export interface TableRef {
  key: string;
  step: number | null;
  path: string;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  classId: number;
}

/** The box tables of the `index`-th image logged under `imageKey` at `step` (the i-th table of
 * each box set at that step belongs to the i-th image). */
export function boxTablesFor<T extends TableRef>(tables: readonly T[], imageKey: string, step: number, index: number): T[] {
  return besideImage(tables, `${imageKey}/boxes/`, step, index);
}

/** The mask images (`<image key>/mask/<name>`, class ids in a palette PNG) of the `index`-th
 * image logged under `imageKey` at `step`. */
export function maskImagesFor<T extends TableRef>(images: readonly T[], imageKey: string, step: number, index: number): T[] {
  return besideImage(images, `${imageKey}/mask/`, step, index);
}

function besideImage<T extends TableRef>(tables: readonly T[], prefix: string, step: number, index: number): T[] {
  const bySet = new Map<string, T[]>();
  for (const t of tables) {
    if ((t.step ?? 0) !== step || !t.key.startsWith(prefix) || t.key.slice(prefix.length).includes("/")) continue;
    const list = bySet.get(t.key) ?? [];
    list.push(t);
    bySet.set(t.key, list);
  }
  return [...bySet.values()].map((list) => list[index]).filter((t): t is T => t !== undefined);
}

/** The rows of a box table as rectangles in an image of width × height pixels. */
export function boxesOf(columns: string[], rows: unknown[][], width: number, height: number): Box[] {
  const at = (name: string) => columns.indexOf(name);
  const [x0, x1, y0, y1, dom, cls, lab, cap] = ["minX", "maxX", "minY", "maxY", "domain", "class_id", "label", "box_caption"].map(at);
  const out: Box[] = [];
  for (const r of rows) {
    const v = [r[x0], r[x1], r[y0], r[y1]].map(Number);
    if (v.some((n) => !Number.isFinite(n))) continue;
    const [sx, sy] = r[dom] === "pixel" ? [1, 1] : [width, height];
    const label = [r[lab] ?? (r[cls] !== null && r[cls] !== undefined ? `class ${r[cls]}` : ""), r[cap] ?? ""].filter((s) => s !== "").join(" · ");
    out.push({ x: v[0] * sx, y: v[2] * sy, width: (v[1] - v[0]) * sx, height: (v[3] - v[2]) * sy, label: String(label), classId: Number(r[cls] ?? 0) });
  }
  return out;
}
