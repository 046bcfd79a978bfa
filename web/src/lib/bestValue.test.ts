import { describe, expect, it } from "vitest";
import { bestIndexes, summaryGoals } from "./bestValue";

describe("bestIndexes", () => {
  it("is the lowest value for a minimized metric and the highest for a maximized one", () => {
    expect(bestIndexes([0.3, 0.1, 0.2], "minimize")).toEqual([1]);
    expect(bestIndexes([0.3, 0.1, 0.9], "maximize")).toEqual([2]);
  });

  it("marks every tie, skips what is not a number, and marks nothing without a contest", () => {
    expect(bestIndexes([0.5, "n/a", 0.5, 0.7], "minimize")).toEqual([0, 2]);
    expect(bestIndexes([0.5, null, NaN], "minimize")).toEqual([]);
    expect(bestIndexes([0.5, 0.5], "maximize")).toEqual([]);
    expect(bestIndexes([0.1, 0.2], undefined)).toEqual([]);
  });
});

describe("summaryGoals", () => {
  it("keeps the goals of summary columns under their keys", () => {
    const cols = [
      { name: "summary.val/loss", goal: "minimize" as const },
      { name: "summary.acc", goal: "maximize" as const },
      { name: "config.lr" },
    ];
    expect(summaryGoals(cols)).toEqual({ "val/loss": "minimize", acc: "maximize" });
  });
});
