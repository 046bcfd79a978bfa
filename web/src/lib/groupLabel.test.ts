import { describe, expect, it } from "vitest";
import { translatedGroupLabel } from "./groupLabel";
import { MESSAGES } from "./i18n";

describe("translatedGroupLabel", () => {
  it("names the runs without the field in the page's language and keeps key=value", () => {
    const none = { value: null, label: "no optimizer", runs: ["a"] };
    expect(translatedGroupLabel(none, "config.optimizer", MESSAGES.zh["table.noGroup"]).label).toBe("无 optimizer");
    expect(translatedGroupLabel(none, "config.optimizer", MESSAGES.en["table.noGroup"]).label).toBe("no optimizer");
    expect(translatedGroupLabel(none, "tags", MESSAGES.zh["table.noGroup"]).label).toBe("无 tags");
    const adam = { value: "adam", label: "optimizer=adam", runs: ["b"] };
    expect(translatedGroupLabel(adam, "config.optimizer", MESSAGES.zh["table.noGroup"])).toBe(adam);
  });
});
