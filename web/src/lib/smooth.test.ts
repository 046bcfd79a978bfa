import { describe, expect, it } from "vitest";
import { smoothEma } from "./smooth";

describe("smoothEma", () => {
  it("weight 0 returns the data unchanged", () => {
    expect(smoothEma([1, 5, null, 3], 0)).toEqual([1, 5, null, 3]);
  });

  it("starts on the first value instead of being dragged toward zero (debiased)", () => {
    const out = smoothEma([10, 10, 10, 10], 0.9);
    for (const v of out) expect(v).toBeCloseTo(10, 10);
  });

  it("matches the TensorBoard formula on a step", () => {
    const out = smoothEma([0, 1], 0.5);
    // last1 = 0 -> 0/(1-0.5) = 0 ; last2 = 0*0.5 + 0.5*1 = 0.5 -> 0.5/(1-0.25) = 2/3
    expect(out[0]).toBeCloseTo(0);
    expect(out[1]).toBeCloseTo(2 / 3);
  });

  it("keeps gaps and does not let NaN poison later points", () => {
    const out = smoothEma([1, null, Number.NaN, 1], 0.6);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(1);
  });

  it("smooths noise toward the mean", () => {
    const noisy = Array.from({ length: 200 }, (_, i) => (i % 2 ? 2 : 0));
    const out = smoothEma(noisy, 0.95);
    expect(Math.abs((out[199] as number) - 1)).toBeLessThan(0.1);
  });
});
