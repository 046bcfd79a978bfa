import { describe, expect, it } from "vitest";
import { lonePoints } from "./points";

describe("points", () => {
  it("a value logged once is the one point to draw", () => {
    expect(lonePoints([0.93], true)).toEqual([0]);
    expect(lonePoints([null, null, 0.93, null], true)).toEqual([2]);
  });

  it("a series with a line through it draws no dots", () => {
    expect(lonePoints([1, 2, 3], true)).toEqual([]);
    expect(lonePoints([1, null, null, 3], true)).toEqual([]);
    expect(lonePoints([], true)).toEqual([]);
    expect(lonePoints([null, undefined], true)).toEqual([]);
  });

  it("without spanned gaps, every value between two missing ones is a dot", () => {
    expect(lonePoints([1, null, 3, null, 5, 6, null, 8], false)).toEqual([0, 2, 7]);
  });
});
