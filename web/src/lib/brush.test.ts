import { describe, expect, it } from "vitest";
import { axisFraction, brushFromDrag, selectedLines, selectedRows, setBrush } from "./brush";
import { layoutParallel } from "./parallel";

const box = { width: 300, height: 120, padding: { top: 10, right: 20, bottom: 10, left: 20 } };
const items = [
  { lr: 0.1, opt: "adam", acc: 0.5 },
  { lr: 0.2, opt: "sgd", acc: 0.9 },
  { lr: 0.3, opt: "adam", acc: 0.7 },
  { lr: null, opt: "adam", acc: 0.6 },
];
const layout = layoutParallel(items, [{ name: "lr" }, { name: "opt" }, { name: "acc" }], box);

describe("brushing", () => {
  it("measures an axis from the bottom (0) to the top (1)", () => {
    expect(axisFraction(110, 10, 110)).toBe(0);
    expect(axisFraction(10, 10, 110)).toBe(1);
    expect(axisFraction(60, 10, 110)).toBe(0.5);
  });

  it("turns a drag in either direction into an ordered, clamped range", () => {
    expect(brushFromDrag("lr", 10, 60, 10, 110)).toEqual({ field: "lr", lo: 0.5, hi: 1 });
    expect(brushFromDrag("lr", 200, 60, 10, 110)).toEqual({ field: "lr", lo: 0, hi: 0.5 });
  });

  it("selects every line without brushes", () => {
    expect([...selectedLines(layout, [], 10, 110)]).toEqual([0, 1, 2, 3]);
  });

  it("keeps the lines inside a brush, leaving out lines with no value there", () => {
    expect([...selectedLines(layout, [{ field: "lr", lo: 0.4, hi: 1 }], 10, 110)]).toEqual([1, 2]);
  });

  it("ANDs brushes on several axes, a category axis included", () => {
    const brushes = [
      { field: "lr", lo: 0.4, hi: 1 },
      { field: "opt", lo: 0, hi: 0.1 }, // adam sits at the bottom (first met)
    ];
    expect([...selectedLines(layout, brushes, 10, 110)]).toEqual([2]);
  });

  it("ignores a brush on a field the plot does not show", () => {
    expect(selectedLines(layout, [{ field: "gone", lo: 0, hi: 0.1 }], 10, 110).size).toBe(4);
  });

  it("keeps one brush per axis and removes it on request", () => {
    let b = setBrush([], "lr", { field: "lr", lo: 0, hi: 0.5 });
    b = setBrush(b, "acc", { field: "acc", lo: 0.2, hi: 0.3 });
    b = setBrush(b, "lr", { field: "lr", lo: 0.6, hi: 0.7 });
    expect(b).toEqual([
      { field: "acc", lo: 0.2, hi: 0.3 },
      { field: "lr", lo: 0.6, hi: 0.7 },
    ]);
    expect(setBrush(b, "acc", null)).toEqual([{ field: "lr", lo: 0.6, hi: 0.7 }]);
  });
});

describe("selectedRows", () => {
  it("selects the same runs as the drawn plot, whatever its size", () => {
    const fields = [{ name: "lr" }, { name: "opt" }, { name: "acc" }];
    const brushes = [{ field: "acc", lo: 0.5, hi: 1 }];
    expect([...selectedRows(items, fields, brushes)]).toEqual([1, 2]);
    expect([...selectedLines(layout, brushes, 10, 110)]).toEqual([1, 2]);
  });
});
