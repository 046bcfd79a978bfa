import { describe, expect, it } from "vitest";
import { columnValue, differingConfig, firstVisitColumns, diffRows, filterColumns, flatten, plotFields, shownColumns, shortName, tableItems, type ColumnInfo } from "./columns";

const col = (name: string, differs: boolean): ColumnInfo => ({ name, type: "number", count: 3, distinct: differs ? 2 : 1, differs });
const COLUMNS = [col("config.lr", true), col("config.batch_size", false), col("config.model.depth", true), col("summary.val/acc", true), col("summary.loss", false)];

describe("columns", () => {
  it("flattens nested config keys with dots, leaving arrays and empty objects as values", () => {
    expect(flatten({ lr: 0.1, model: { depth: 4, act: { name: "relu" } }, layers: [1, 2], extra: {} })).toEqual({
      lr: 0.1,
      "model.depth": 4,
      "model.act.name": "relu",
      layers: [1, 2],
      extra: {},
    });
  });

  it("filters the chooser by every search word, in any case", () => {
    expect(filterColumns(COLUMNS, "CONFIG dep", false).map((c) => c.name)).toEqual(["config.model.depth"]);
    expect(filterColumns(COLUMNS, "", false)).toHaveLength(5);
  });

  it("hides config keys that are the same in every run when asked, never summary keys", () => {
    expect(filterColumns(COLUMNS, "", true).map((c) => c.name)).toEqual([
      "config.lr",
      "config.model.depth",
      "summary.val/acc",
      "summary.loss",
    ]);
  });

  it("shows only differing config columns with the toggle on, adding those not chosen", () => {
    const chosen = ["config.batch_size", "config.lr", "summary.loss", "config.unknown"];
    expect(shownColumns(chosen, COLUMNS, false)).toEqual(chosen);
    expect(shownColumns(chosen, COLUMNS, true)).toEqual(["config.lr", "summary.loss", "config.unknown", "config.model.depth"]);
    expect(shownColumns([], COLUMNS, true, 1)).toEqual(["config.lr"]);
    expect(shownColumns(chosen, null, true)).toEqual(chosen);
    expect(differingConfig(COLUMNS)).toEqual(["config.lr", "config.model.depth"]);
  });

  it("marks the keys whose values differ between runs, a missing key included", () => {
    const rows = diffRows([
      { lr: 0.1, opt: { name: "adam", beta: 0.9 }, seed: 1 },
      { lr: 0.1, opt: { name: "sgd", beta: 0.9 } },
    ]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ["lr", false],
      ["opt.beta", false],
      ["opt.name", true],
      ["seed", true],
    ]);
    expect(rows[2].values).toEqual(["adam", "sgd"]);
  });

  it("reads a column from the viewer's values, else from the summary", () => {
    expect(columnValue({ values: { "config.lr": 0.1 }, summary: {} }, "config.lr")).toBe(0.1);
    expect(columnValue({ summary: { acc: 0.9 } }, "summary.acc")).toBe(0.9);
    expect(columnValue({ summary: {} }, "config.lr")).toBeUndefined();
    expect(shortName("config.model.depth")).toBe("model.depth");
  });
});

describe("plotFields", () => {
  it("plots the chosen config columns and the picked metric", () => {
    expect(plotFields(["summary.loss", "config.lr"], COLUMNS, "summary.val/acc")).toEqual({ keys: ["config.lr"], metric: "summary.val/acc" });
  });
  it("falls back to the differing config keys and the first summary column", () => {
    expect(plotFields([], COLUMNS, "")).toEqual({ keys: ["config.lr", "config.model.depth"], metric: "summary.val/acc" });
    expect(plotFields(["summary.loss"], COLUMNS, "").metric).toBe("summary.loss");
    expect(plotFields([], null, "")).toEqual({ keys: [], metric: "" });
  });
});

describe("tableItems", () => {
  it("turns the column-wise table answer into one record per run", () => {
    expect(tableItems({ keys: ["a", "b"], columns: { "config.lr": [0.1, null], "summary.acc": [0.9, 0.8] } })).toEqual([
      { "config.lr": 0.1, "summary.acc": 0.9 },
      { "config.lr": null, "summary.acc": 0.8 },
    ]);
  });
});

describe("firstVisitColumns", () => {
  const info = (name: string, differs: boolean): ColumnInfo => ({ name, type: "number", count: 3, distinct: differs ? 3 : 1, differs });
  it("shows the config keys that differ, at most a few, never a metric", () => {
    const cols = [info("config.a", true), info("config.b", false), info("summary.acc", true), ...[1, 2, 3, 4, 5, 6].map((i) => info(`config.k${i}`, true))];
    expect(firstVisitColumns(cols)).toEqual(["config.a", "config.k1", "config.k2", "config.k3", "config.k4", "config.k5"]);
    expect(firstVisitColumns(null)).toEqual([]);
  });
});
