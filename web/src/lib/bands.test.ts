import { describe, expect, it } from "vitest";
import { countMarks, groupedData, runLines } from "./bands";

describe("grouped chart data", () => {
  it("lines up groups with different steps and pairs each band's edges", () => {
    const out = groupedData([
      { value: 0.1, label: "lr=0.1", runs: ["a", "b"], x: [1, 2], mean: [1, 2], lo: [0, 1], hi: [2, 3] },
      { value: 0.2, label: "lr=0.2", runs: ["c"], x: [2, 3], mean: [5, 6], lo: [5, 6], hi: [5, 6] },
    ]);
    expect(out.names).toEqual(["lr=0.1 (2)", "lr=0.1 hi", "lr=0.1 lo", "lr=0.2 (1)", "lr=0.2 hi", "lr=0.2 lo"]);
    expect(out.data[0]).toEqual([1, 2, 3]);
    expect(out.data[1]).toEqual([1, 2, null]);
    expect(out.data[4]).toEqual([null, 5, 6]);
    expect(out.bands).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(out.groupOf).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("draws nothing for no groups", () => {
    expect(groupedData([]).data).toEqual([[]]);
  });

  it("draws one line per run and no band when not grouped", () => {
    const out = runLines([
      { value: "a", label: "mlp lr=0.1", runs: ["a"], x: [1, 2], mean: [1, 2], lo: [1, 2], hi: [1, 2] },
      { value: "b", label: "mlp lr=0.2", runs: ["b"], x: [2], mean: [5], lo: [5], hi: [5] },
      { value: "c", label: "mlp lr=0.3", runs: ["c"], x: [], mean: [], lo: [], hi: [] },
    ]);
    expect(out.names).toEqual(["mlp lr=0.1", "mlp lr=0.2"]);
    expect(out.data).toEqual([[1, 2], [1, 2], [null, 5]]);
    expect(out.bands).toEqual([]);
  });

  it("marks where a band's run count changes", () => {
    const g = { value: 1, label: "lr=1", runs: ["a", "b", "c"], x: [1, 2, 3, 4], mean: [1, 1, 1, 1], lo: [], hi: [] };
    expect(countMarks([{ ...g, count: [3, 3, 2, 2] }])).toEqual([
      { group: 0, x: 1, runs: 3 },
      { group: 0, x: 3, runs: 2 },
    ]);
    expect(countMarks([{ ...g, count: [3, 3, 3, 3] }])).toEqual([]);
    expect(countMarks([{ ...g, count: [2, 2, 2, 2] }])).toEqual([{ group: 0, x: 1, runs: 2 }]);
  });
});
