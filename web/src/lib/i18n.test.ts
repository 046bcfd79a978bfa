import { describe, expect, it } from "vitest";
import { initialLang, MESSAGES, translate } from "./i18n";

describe("i18n", () => {
  it("every English label has a Chinese one that differs where it is words", () => {
    const keys = Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[];
    expect(Object.keys(MESSAGES.zh).sort()).toEqual([...keys].sort());
    expect(translate("zh", "nav.runs")).toBe("实验运行");
    expect(translate("en", "nav.runs")).toBe("Runs");
  });

  it("a remembered choice wins over the browser language", () => {
    expect(initialLang("en", "zh-CN")).toBe("en");
    expect(initialLang(null, "zh-CN")).toBe("zh");
    expect(initialLang("garbage", "de")).toBe("en");
  });
});
