import { describe, expect, it } from "vitest";
import { initialLang, MESSAGES, translate } from "./i18n";

describe("i18n", () => {
  it("every English label has a Chinese one that differs where it is words", () => {
    const keys = Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[];
    expect(Object.keys(MESSAGES.zh).sort()).toEqual([...keys].sort());
    expect(translate("zh", "nav.runs")).toBe("实验运行");
    expect(translate("en", "nav.runs")).toBe("Runs");
  });

  it("every key has a Chinese string that is not the English one, but for words that stay the same", () => {
    // names and symbols Chinese text writes as they are
    const same = new Set(["GPU", "ID", "CSV", "PNG", "URL", "SSH", "W&B", "TensorBoard", "x", "y", "log", "JSON", "–", "·"]);
    const untranslated = (Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]).filter(
      (k) => !MESSAGES.zh[k]?.trim() || (MESSAGES.zh[k] === MESSAGES.en[k] && !same.has(MESSAGES.en[k])),
    );
    expect(untranslated).toEqual([]);
  });

  it("a remembered choice wins over the browser language", () => {
    expect(initialLang("en", "zh-CN")).toBe("en");
    expect(initialLang(null, "zh-CN")).toBe("zh");
    expect(initialLang("garbage", "de")).toBe("en");
  });
});
