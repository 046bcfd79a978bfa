import { describe, expect, it } from "vitest";
import { newerStart, olderStart, pageRange, valueText } from "./textValues";

describe("valueText", () => {
  it("shows text as it is, null and lists as JSON, a cut value with an ellipsis", () => {
    expect(valueText("warmup")).toBe("warmup");
    expect(valueText(null)).toBe("null");
    expect(valueText([1, "a"])).toBe('[1,"a"]');
    expect(valueText({ a: 1 })).toBe('{"a":1}');
    expect(valueText("x".repeat(3), true)).toBe("xxx…");
    expect(valueText("")).toBe("");
  });
});

describe("paging newest last", () => {
  it("goes to older pages down to the first value", () => {
    expect(olderStart(95, 10)).toBe(85);
    expect(olderStart(5, 10)).toBe(0);
    expect(olderStart(0, 10)).toBeNull();
  });
  it("goes to newer pages, the newest one being null (it follows a live run)", () => {
    expect(newerStart(0, 10, 100)).toBe(10);
    expect(newerStart(80, 10, 100)).toBeNull(); // 90..99 is the newest page
    expect(newerStart(79, 10, 100)).toBe(89);
    expect(newerStart(0, 10, 5)).toBeNull();
  });
  it("counts a page's values from one", () => {
    expect(pageRange(0, 10, 31)).toBe("1–10 / 31");
    expect(pageRange(29, 2, 31)).toBe("30–31 / 31");
    expect(pageRange(0, 0, 0)).toBe("0 / 0");
  });
});
