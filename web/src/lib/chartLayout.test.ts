import { describe, expect, it } from "vitest";
import { clampSize, layoutStorageKey, moveBy, moveTo, parseLayout, sizeFromDrag } from "./chartLayout";

describe("chart layout", () => {
  it("is kept per project", () => {
    expect(layoutStorageKey("vision")).toBe("runicorn.chartLayout.vision");
    expect(layoutStorageKey("")).toBe("runicorn.chartLayout.*");
  });

  it("reads a stored layout and survives junk", () => {
    const text = JSON.stringify({ order: ["a", 3, "b"], sizes: { a: { span: 9, height: 50 }, b: "x" } });
    expect(parseLayout(text)).toEqual({ order: ["a", "b"], sizes: { a: { span: 3, height: 140 } } });
    expect(parseLayout("{not json")).toEqual({ order: [], sizes: {} });
    expect(parseLayout(null)).toEqual({ order: [], sizes: {} });
  });

  it("moves a chart up and down within the list", () => {
    expect(moveBy(["a", "b", "c"], "c", -1)).toEqual(["a", "c", "b"]);
    expect(moveBy(["a", "b", "c"], "a", -1)).toEqual(["a", "b", "c"]);
    expect(moveBy(["a", "b", "c"], "a", 5)).toEqual(["b", "c", "a"]);
    expect(moveBy(["a"], "zz", 1)).toEqual(["a"]);
  });

  it("drops a dragged chart where it is let go", () => {
    expect(moveTo(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveTo(["a", "b", "c", "d"], 3, 0)).toEqual(["d", "a", "b", "c"]);
  });

  it("sizes a chart from a corner drag, clamped", () => {
    expect(sizeFromDrag({ span: 1, height: 280 }, 400, 100, 380, 394)).toEqual({ span: 2, height: 380 });
    expect(sizeFromDrag({ span: 1, height: 280 }, -900, -900, 380, 394)).toEqual({ span: 1, height: 140 });
    expect(clampSize({ span: 7, height: 5000 })).toEqual({ span: 3, height: 900 });
  });
});
