import { describe, expect, it } from "vitest";
import { caretLine } from "./query";

describe("query error caret", () => {
  it("points at the 1-based column", () => {
    expect(caretLine("config.lr <", 1)).toBe("^");
    expect(caretLine("config.lr <", 11)).toBe("          ^");
  });
  it("stays within one past the end of the text", () => {
    expect(caretLine("ab", 40)).toBe("  ^");
    expect(caretLine("ab", 0)).toBe("");
    expect(caretLine("ab", null)).toBe("");
  });
});
