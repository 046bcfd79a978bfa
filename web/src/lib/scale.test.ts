import { describe, expect, it } from "vitest";
import { CATEGORY_COLORS, colorScale, niceTicks, scaleOf } from "./scale";
import { logTicks, rampColor } from "./parallel";

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

describe("log scales", () => {
  it("spaces values by orders of magnitude with ticks at powers of ten", () => {
    const s = scaleOf([1e-5, 1e-3, 1e-1], 0, 100, true);
    expect(s.log).toBe(true);
    const [a, b, c] = [1e-5, 1e-3, 1e-1].map((v) => s.place(v) ?? NaN);
    expect(b - a).toBeCloseTo(c - b);
    expect(s.ticks.map((t) => t.label)).toEqual(["1.0e-5", "1.0e-4", "0.001", "0.01", "0.1"]);
  });
  it("stays linear when a value is zero or negative, and leaves such values out of a log scale", () => {
    expect(scaleOf([0, 1, 10], 0, 100, true).log).toBeFalsy();
    expect(scaleOf([1, 100], 0, 100, true).place(-1)).toBeNull();
  });
  it("uses 1, 2 and 5 inside a decade when there are fewer than two powers of ten", () => {
    expect(logTicks(1.5, 9)).toEqual([2, 5]);
    expect(logTicks(0.001, 1000, 3)).toEqual([0.001, 1, 1000]);
  });
});

describe("colour by a column", () => {
  it("colours numbers from blue to red and a missing value grey", () => {
    const c = colorScale([1, 3, null, 2]);
    expect(c.kind).toBe("number");
    expect(c.range).toEqual([1, 3]);
    expect(c.colors).toEqual([rampColor(0), rampColor(1), "rgb(150,150,150)", rampColor(0.5)]);
  });
  it("gives each category its own hue, sorted, with a legend", () => {
    const c = colorScale(["sgd", "adam", "sgd", undefined]);
    expect(c.legend).toEqual([
      { label: "adam", color: CATEGORY_COLORS[0] },
      { label: "sgd", color: CATEGORY_COLORS[1] },
    ]);
    expect(c.colors).toEqual([CATEGORY_COLORS[1], CATEGORY_COLORS[0], CATEGORY_COLORS[1], "rgb(150,150,150)"]);
  });
});
