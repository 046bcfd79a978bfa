import { describe, expect, it } from "vitest";
import { GAP_PX, TICK_PX, xEdgePad, xTickSpace, yAxisSize } from "./axis";

describe("axis", () => {
  it("a y axis is as wide as its widest label plus gap and tick", () => {
    const size = yAxisSize([20.2, 61.7, 48], 40);
    expect(size).toBeGreaterThanOrEqual(61.7 + GAP_PX + TICK_PX);
    expect(size).toBeLessThanOrEqual(Math.ceil(61.7) + GAP_PX + TICK_PX + 2);
    expect(Number.isInteger(size)).toBe(true);
  });

  it("short labels keep the minimum width, and no labels yet is the minimum", () => {
    expect(yAxisSize([7, 14], 50)).toBe(50);
    expect(yAxisSize([], 50)).toBe(50);
  });

  it("the right edge leaves room for half of the widest x label", () => {
    expect(xEdgePad([30, 84], 10)).toBeGreaterThanOrEqual(42);
    expect(xEdgePad([30, 84], 10)).toBeLessThanOrEqual(44);
    expect(xEdgePad([12], 25)).toBe(25);
  });

  it("x ticks are at least a label and a gap apart", () => {
    expect(xTickSpace([40, 71.3], 50)).toBe(Math.ceil(71.3 + 12));
    expect(xTickSpace([20], 50)).toBe(50);
  });
});
