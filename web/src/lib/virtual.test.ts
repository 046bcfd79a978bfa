import { describe, expect, it } from "vitest";
import { matchingLines, visibleRows } from "./virtual";

describe("visibleRows", () => {
  it("renders only the screenful plus overscan out of 100k lines", () => {
    const r = visibleRows(50_000 * 18, 540, 18, 100_000, 10);
    expect(r.start).toBe(49_990);
    expect(r.end - r.start).toBeLessThan(60);
  });

  it("clamps at both ends", () => {
    expect(visibleRows(0, 500, 20, 5)).toEqual({ start: 0, end: 5 });
    expect(visibleRows(1e9, 500, 20, 5).end).toBe(5);
    expect(visibleRows(0, 500, 20, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe("matchingLines", () => {
  it("finds lines case-insensitively ignoring colour codes", () => {
    const lines = ["epoch 1", "\x1b[31mERROR\x1b[0m disk", "Error again"];
    // eslint-disable-next-line no-control-regex
    const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
    expect(matchingLines(lines, "error", strip)).toEqual([1, 2]);
    expect(matchingLines(lines, "", strip)).toEqual([0, 1, 2]);
  });
});
