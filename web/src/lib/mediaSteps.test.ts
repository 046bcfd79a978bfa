import { describe, expect, it } from "vitest";
import { atStep, byKey, mediaSteps, sharedKeys } from "./mediaSteps";

const img = (key: string, step: number | null) => ({ key, step });

describe("mediaSteps", () => {
  it("lists the distinct steps in order, a missing step as 0", () => {
    expect(mediaSteps([img("a", 20), img("a", 10), img("a", 20), img("a", null)])).toEqual([0, 10, 20]);
  });

  it("picks what was logged at one step and groups by key in logged order", () => {
    const items = [img("b", 1), img("a", 1), img("b", 2)];
    expect(atStep(items, 1)).toEqual([img("b", 1), img("a", 1)]);
    expect(byKey(items).map(([k, list]) => [k, list.length])).toEqual([["b", 2], ["a", 1]]);
  });

  it("offers the keys at least two runs share, the most shared first", () => {
    const runs = [[img("x", 1), img("y", 1)], [img("y", 1), img("z", 1)], [img("y", 2), img("z", 3)]];
    expect(sharedKeys(runs)).toEqual(["y", "z"]);
    expect(sharedKeys([[img("x", 1)]])).toEqual(["x"]);
  });
});
