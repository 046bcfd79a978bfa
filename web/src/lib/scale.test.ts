import { describe, expect, it } from "vitest";
import { niceTicks, scaleOf } from "./scale";

describe("scatter scales", () => {
  it("picks round ticks", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.0013, 0.0096, 4)).toEqual([0.002, 0.004, 0.006, 0.008]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("maps numbers linearly with a margin, and a reversed range for a y axis", () => {
    const x = scaleOf([0, 10], 0, 110);
    expect(x.place(0)).toBeCloseTo(5);
    expect(x.place(10)).toBeCloseTo(105);
    const y = scaleOf([0, 10, null], 110, 0);
    expect(y.place(0)).toBeCloseTo(105);
    expect(y.place(null)).toBeNull();
    expect(y.place("a")).toBeNull();
  });

  it("spreads categories evenly in sorted order", () => {
    const s = scaleOf(["sgd", "adam", "sgd", true], 0, 300);
    expect(s.kind).toBe("category");
    expect(s.ticks.map((t) => t.label)).toEqual(["adam", "sgd", "true"]);
    expect(s.place("adam")).toBe(50);
    expect(s.place("sgd")).toBe(150);
  });

  it("centres a single value", () => {
    expect(scaleOf([2, 2], 0, 100).place(2)).toBeCloseTo(50);
  });
});
