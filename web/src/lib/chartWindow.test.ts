import { describe, expect, it } from "vitest";
import {
  chartBlocks,
  chartSections,
  gridColumns,
  gridHeightPx,
  keyBatches,
  nearInOrder,
  shownKeys,
} from "./chartWindow";

const KEYS = ["val/acc", "layer7/m1", "loss", "layer7/m0", "layer17/m0", "train/loss"];

describe("chartSections", () => {
  it("groups keys by prefix in natural order, keys without one first", () => {
    expect(chartSections(KEYS, "", new Set()).map((s) => [s.prefix, s.keys])).toEqual([
      ["", ["loss"]],
      ["layer7", ["layer7/m0", "layer7/m1"]],
      ["layer17", ["layer17/m0"]],
      ["train", ["train/loss"]],
      ["val", ["val/acc"]],
    ]);
  });

  it("leaves out the sections the filter empties", () => {
    const sections = chartSections(KEYS, "layer7/", new Set());
    expect(sections).toEqual([{ prefix: "layer7", keys: ["layer7/m0", "layer7/m1"], folded: false }]);
  });

  it("marks folded sections and shows only the open ones' keys", () => {
    const sections = chartSections(KEYS, "", new Set(["layer7", ""]));
    expect(sections.filter((s) => s.folded).map((s) => s.prefix)).toEqual(["", "layer7"]);
    expect(shownKeys(sections)).toEqual(["layer17/m0", "train/loss", "val/acc"]);
  });
});

describe("nearInOrder", () => {
  it("orders the near keys as the page lays them out", () => {
    expect(nearInOrder(["a", "b", "c", "d"], new Set(["d", "b"]))).toEqual(["b", "d"]);
    expect(nearInOrder(["a"], new Set())).toEqual([]);
    expect(nearInOrder(["a"], new Set(["gone"]))).toEqual([]);
  });
});

describe("keyBatches", () => {
  it("cuts by count", () => {
    expect(keyBatches(["a", "b", "c", "d", "e"], 2, 1000)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("cuts by length, a long key going alone", () => {
    expect(keyBatches(["aaaa", "bbbb", "cccccccccccc", "d"], 10, 10)).toEqual([
      ["aaaa", "bbbb"],
      ["cccccccccccc"],
      ["d"],
    ]);
  });

  it("answers no batch for no keys", () => {
    expect(keyBatches([], 5, 100)).toEqual([]);
  });
});

describe("chart blocks", () => {
  it("cut the keys in blocks, the last one shorter", () => {
    expect(chartBlocks(["a", "b", "c", "d", "e"], 2)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(chartBlocks([], 12)).toEqual([]);
  });

  it("are as tall as the grid that will replace them", () => {
    expect(gridColumns(1352, 360, 14)).toBe(3);
    expect(gridColumns(300, 360, 14)).toBe(1);
    expect(gridColumns(1500, 360, 14)).toBe(4);
    expect(gridHeightPx(12, 3, 308, 14)).toBe(4 * 308 + 3 * 14);
    expect(gridHeightPx(13, 3, 308, 14)).toBe(5 * 308 + 4 * 14);
    expect(gridHeightPx(0, 3, 308, 14)).toBe(0);
  });
});
