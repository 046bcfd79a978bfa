import { describe, expect, it } from "vitest";
import { clippedRange } from "./clip";

describe("outlier clipping", () => {
  it("leaves a spike out of the y range", () => {
    const ys = Array.from({ length: 50 }, (_, i) => 1 + (i % 5) / 10);
    ys[20] = 1000;
    const range = clippedRange([ys])!;
    expect(range[1]).toBeLessThan(2);
    expect(range[0]).toBeGreaterThan(0.8);
  });

  it("keeps the range where no value lies outside it", () => {
    expect(clippedRange([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((v) => v / 100 + 1)])).toBeNull();
  });

  it("needs a few finite values", () => {
    expect(clippedRange([[1, null, NaN, 1000]])).toBeNull();
  });

  it("clips on a log axis with positive bounds", () => {
    const ys = Array.from({ length: 40 }, (_, i) => 10 ** -(i % 4));
    ys[3] = 1e6;
    ys[4] = -5;
    const [lo, hi] = clippedRange([ys], 0.05, 0.95, true)!;
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1e6);
  });
});
