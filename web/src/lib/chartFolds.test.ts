import { describe, expect, it } from "vitest";
import { foldsStorageKey, parseFolds, serializeFolds, toggleFold } from "./chartFolds";

describe("chart folds", () => {
  it("are stored per scope", () => {
    expect(foldsStorageKey("vision")).toBe("runicorn.chartFolds.vision");
    expect(foldsStorageKey("")).toBe("runicorn.chartFolds.*");
  });

  it("read back what was written", () => {
    const folded = toggleFold(toggleFold(new Set(), "layer7"), "");
    expect(parseFolds(serializeFolds(folded))).toEqual(new Set(["layer7", ""]));
  });

  it("toggle a section without changing the old set", () => {
    const before = new Set(["train"]);
    expect(toggleFold(before, "train")).toEqual(new Set());
    expect(toggleFold(before, "val")).toEqual(new Set(["train", "val"]));
    expect(before).toEqual(new Set(["train"]));
  });

  it("ignore a missing or broken text", () => {
    expect(parseFolds(null)).toEqual(new Set());
    expect(parseFolds("{not json")).toEqual(new Set());
    expect(parseFolds('{"a": 1}')).toEqual(new Set());
    expect(parseFolds('["a", 3, null]')).toEqual(new Set(["a"]));
  });
});
