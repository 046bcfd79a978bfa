import { describe, expect, it } from "vitest";
import { boxTablesFor, boxesOf, maskImagesFor } from "./imageBoxes";

describe("boxes stored beside an image", () => {
  it("finds the i-th table of each box set logged at the image's step", () => {
    const tables = [
      { key: "img/boxes/pred", step: 1, path: "a" },
      { key: "img/boxes/pred", step: 1, path: "b" },
      { key: "img/boxes/truth", step: 1, path: "c" },
      { key: "img/boxes/pred", step: 2, path: "d" },
      { key: "img/mask/m/classes", step: 1, path: "e" },
      { key: "other/boxes/pred", step: 1, path: "f" },
    ];
    expect(boxTablesFor(tables, "img", 1, 0).map((t) => t.path)).toEqual(["a", "c"]);
    expect(boxTablesFor(tables, "img", 1, 1).map((t) => t.path)).toEqual(["b"]);
    expect(boxTablesFor(tables, "img", 3, 0)).toEqual([]);
  });

  it("finds the mask images of an image, not their class tables", () => {
    const items = [
      { key: "img/mask/truth", step: 1, path: "m1" },
      { key: "img/mask/truth/classes", step: 1, path: "t" },
      { key: "img", step: 1, path: "i" },
    ];
    expect(maskImagesFor(items, "img", 1, 0).map((m) => m.path)).toEqual(["m1"]);
  });

  it("scales fractional boxes to the image and keeps pixel boxes as they are", () => {
    const columns = ["minX", "maxX", "minY", "maxY", "domain", "class_id", "label", "box_caption", "scores"];
    const rows = [
      [0.1, 0.5, 0.2, 0.6, null, 2, "car", null, null],
      [10, 20, 5, 15, "pixel", 1, null, "near", null],
    ];
    const boxes = boxesOf(columns, rows, 100, 50);
    expect(boxes[0]).toEqual({ x: 10, y: 10, width: 40, height: 20, label: "car", classId: 2 });
    expect(boxes[1]).toEqual({ x: 10, y: 5, width: 10, height: 10, label: "class 1 · near", classId: 1 });
  });
});
