import { describe, expect, it } from "vitest";
import { labelColumns, rememberColumns, rememberedColumns, rememberedHidden, rememberHidden } from "./tablePrefs";

function memory() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
}

describe("table preferences", () => {
  it("keeps the chosen columns and the hidden built-ins per project", () => {
    const store = memory();
    rememberColumns("vision", ["config.lr", "summary.val/acc"], store);
    rememberHidden("vision", ["host", "id"], store);
    expect(rememberedColumns("vision", store)).toEqual(["config.lr", "summary.val/acc"]);
    expect(rememberedHidden("vision", store)).toEqual(["host", "id"]);
    expect(rememberedColumns("nlp", store)).toEqual([]);
    expect(rememberedHidden("nlp", store)).toEqual([]);
    expect(rememberedHidden("", store)).toEqual([]);
  });

  it("names a project's runs by its own chosen columns, else those chosen over all projects", () => {
    const store = memory();
    rememberColumns("", ["config.lr", "config.bs"], store);
    expect(labelColumns("vision", store)).toEqual(["config.lr", "config.bs"]);
    rememberColumns("vision", ["config.bs"], store);
    expect(labelColumns("vision", store)).toEqual(["config.bs"]);
  });

  it("reads summary keys chosen before columns were kept per project", () => {
    const store = memory();
    store.setItem("runicorn.summaryColumns", JSON.stringify(["acc"]));
    expect(rememberedColumns("vision", store)).toEqual(["summary.acc"]);
  });

  it("survives broken or missing storage", () => {
    const store = memory();
    store.setItem("runicorn.hiddenColumns.vision", "{not json");
    expect(rememberedHidden("vision", store)).toEqual([]);
    expect(rememberedColumns("vision", null)).toEqual([]);
    rememberHidden("vision", ["id"], null);
  });
});
