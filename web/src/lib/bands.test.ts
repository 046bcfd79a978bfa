import { describe, expect, it } from "vitest";
import { groupedData } from "./bands";

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
});
