import { describe, expect, it } from "vitest";
import { filterKeys, keyMatcher } from "./metricFilter";

const KEYS = ["layer7/m0", "layer7/m1", "layer17/m0", "train/loss", "val/acc", "Layer7/upper"];

describe("filterKeys", () => {
  it("keeps every key for an empty or blank filter", () => {
    expect(filterKeys(KEYS, "")).toEqual(KEYS);
    expect(filterKeys(KEYS, "   ")).toEqual(KEYS);
  });

  it("keeps the keys containing the text, ignoring case", () => {
    expect(filterKeys(KEYS, "layer7/")).toEqual(["layer7/m0", "layer7/m1", "Layer7/upper"]);
    expect(filterKeys(KEYS, "LOSS")).toEqual(["train/loss"]);
    expect(filterKeys(KEYS, "nothing")).toEqual([]);
  });

  it("reads /pattern/ as a regular expression", () => {
    expect(filterKeys(KEYS, "/^layer1?7\\/m0$/")).toEqual(["layer7/m0", "layer17/m0"]);
    expect(filterKeys(KEYS, "/acc|loss/")).toEqual(["train/loss", "val/acc"]);
  });

  it("matches an invalid expression as plain text", () => {
    expect(keyMatcher("/(/")("a/(/b")).toBe(true);
    expect(keyMatcher("/(/")("layer7/m0")).toBe(false);
  });

  it("treats a lone slash as text", () => {
    expect(filterKeys(["a/b", "ab"], "/")).toEqual(["a/b"]);
  });
});
