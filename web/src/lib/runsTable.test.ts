import { describe, expect, it } from "vitest";
import type { ColumnInfo } from "./columns";
import { goalOf, groupMetric, labelSaysMore, nextSort, stickyOffsets, visibleBuiltins } from "./runsTable";

const COLUMNS: ColumnInfo[] = [
  { name: "config.lr", type: "number", count: 3, distinct: 3, differs: true },
  { name: "summary.val/acc", type: "number", count: 3, distinct: 3, differs: true, goal: "maximize", goal_from: "name" },
  { name: "summary.train/loss", type: "number", count: 3, distinct: 3, differs: true, goal: "minimize", goal_from: "name" },
];

describe("runs table", () => {
  it("shows the built-in columns in their order, less the hidden ones", () => {
    expect(visibleBuiltins(["host", "id", "nonsense"])).toEqual(["project", "status", "tags", "started", "duration"]);
    expect(visibleBuiltins([])).toHaveLength(7);
  });

  it("sorts a metric best first on the first click, then flips", () => {
    const start = { sort: "created", order: "desc" as const };
    expect(nextSort(start, "summary.train/loss", goalOf("summary.train/loss", COLUMNS))).toEqual({ sort: "summary.train/loss", order: "asc" });
    expect(nextSort(start, "summary.val/acc", goalOf("summary.val/acc", COLUMNS))).toEqual({ sort: "summary.val/acc", order: "desc" });
    expect(nextSort({ sort: "summary.train/loss", order: "asc" }, "summary.train/loss", "minimize")).toEqual({ sort: "summary.train/loss", order: "desc" });
    expect(nextSort(start, "config.lr", goalOf("config.lr", COLUMNS))).toEqual({ sort: "config.lr", order: "desc" });
    expect(nextSort(start, "created", null)).toEqual({ sort: "created", order: "asc" });
    expect(goalOf("summary.val/acc", null)).toBeNull();
  });

  it("keeps columns in view from the left while they fit, the rest scroll", () => {
    expect(stickyOffsets([30, 200, 100, 100], 500)).toEqual([0, 30, 230, 330]);
    expect(stickyOffsets([30, 200, 100, 100], 400)).toEqual([0, 30, 230, null]);
    expect(stickyOffsets([30, 600, 10], 400)).toEqual([0, null, null]);
  });

  it("aggregates groups over the sorted metric, else the first metric shown", () => {
    const shown = ["config.lr", "summary.val/acc", "summary.train/loss"];
    expect(groupMetric("summary.train/loss", shown)).toBe("summary.train/loss");
    expect(groupMetric("created", shown)).toBe("summary.val/acc");
    expect(groupMetric("config.lr", shown)).toBe("summary.val/acc");
    expect(groupMetric("created", ["config.lr"])).toBe("");
  });
});

describe("labelSaysMore", () => {
  const shown = ["config.lr", "config.optimizer", "summary.val/acc"];
  it("leaves out a label whose keys all have their columns", () => {
    expect(labelSaysMore("sweep", "sweep lr=0.001 optimizer=adamw", shown)).toBe(false);
    expect(labelSaysMore("sweep", "sweep", shown)).toBe(false);
    expect(labelSaysMore("sweep", undefined, shown)).toBe(false);
  });
  it("keeps one that names a key without a column, a run's tail or a display name", () => {
    expect(labelSaysMore("sweep", "sweep lr=0.001 batch_size=64", shown)).toBe(true);
    expect(labelSaysMore("sweep", "sweep lr=0.001 #ab12cd", shown)).toBe(true);
    expect(labelSaysMore("sweep", "fancy-otter-3", shown)).toBe(true);
  });
});
