import { describe, expect, it } from "vitest";
import { chartShapes } from "./tableChart";

describe("charts drawn from logged tables", () => {
  it("draws a line through the points, scaled into the box (y down)", () => {
    const s = chartShapes({ kind: "line", x: "x", y: "y" }, ["x", "y"], [[0, 0], [1, 5], [2, 10]], 100, 50);
    expect(s.series).toHaveLength(1);
    expect(s.series[0].points).toEqual([[0, 50], [50, 25], [100, 0]]);
    expect(s.xLabels.map((l) => l.text)).toEqual(["0", "2"]);
  });

  it("splits a line series by its series column and skips cells that are not numbers", () => {
    const rows = [[0, "a", 1], [1, "a", 2], [0, "b", 3], [1, "b", "n/a"]];
    const s = chartShapes({ kind: "line", x: "step", y: "lineVal", series: "lineKey" }, ["step", "lineKey", "lineVal"], rows, 10, 10);
    expect(s.series.map((x) => [x.name, x.points.length])).toEqual([["a", 2], ["b", 1]]);
  });

  it("draws one bar per row and bins a histogram's values", () => {
    const b = chartShapes({ kind: "bar", x: "label", y: "value" }, ["label", "value"], [["cat", 2], ["dog", 4]], 100, 40);
    expect(b.bars.map((x) => [x.label, x.height])).toEqual([["cat", 20], ["dog", 40]]);
    const h = chartShapes({ kind: "histogram", value: "v" }, ["v"], [[0], [0], [1]], 100, 40);
    expect(h.bars).toHaveLength(20);
    expect(h.bars[0].value).toBe(2);
    expect(h.bars[19].value).toBe(1);
  });

  it("lays a confusion matrix out as cells shaded by count", () => {
    const rows = [["a", "a", 3], ["a", "b", 1], ["b", "a", 0], ["b", "b", 2]];
    const s = chartShapes({ kind: "confusion_matrix", x: "Predicted", y: "Actual", value: "n" }, ["Actual", "Predicted", "n"], rows, 20, 20);
    expect(s.cells.map((c) => [c.x, c.y, c.shade])).toEqual([[0, 0, 1], [10, 0, 1 / 3], [0, 10, 0], [10, 10, 2 / 3]]);
  });
});
