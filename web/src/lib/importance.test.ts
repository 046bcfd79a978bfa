import { describe, expect, it } from "vitest";
import { importantKeys, parallelSpecs, rankKeys, sortByMetric, wantsLog, type ImportanceAnswer } from "./importance";

const answer: ImportanceAnswer = {
  metric: "summary.acc",
  runs: 10,
  used: 10,
  model: "random_forest",
  install: null,
  parameters: [
    { name: "config.lr", type: "number", count: 10, importance: 0.8, correlation: 0.9, log: true },
    { name: "config.opt", type: "category", count: 10, importance: 0.15, correlation: null, log: false },
    { name: "config.bs", type: "number", count: 10, importance: 0.05, correlation: 0.01, log: false },
  ],
};

describe("wantsLog", () => {
  it("says yes when positive values span more than two decades", () => {
    expect(wantsLog([1e-5, 1e-3, 1e-2, null])).toBe(true);
    expect(wantsLog([1e-4, 1e-2])).toBe(false);
    expect(wantsLog([0.001, 0.1])).toBe(false); // exactly two decades
    expect(wantsLog([16, 32, 64, 128])).toBe(false);
  });
  it("says no with a zero, a negative value or a string", () => {
    expect(wantsLog([0, 1e-4, 1])).toBe(false);
    expect(wantsLog([-1, 1e-4, 1])).toBe(false);
    expect(wantsLog(["adam", 1e-4, 1])).toBe(false);
    expect(wantsLog([])).toBe(false);
  });
});

describe("ranking", () => {
  it("orders chosen keys by importance, unranked ones after in their order", () => {
    expect(rankKeys(["config.bs", "config.x", "config.lr", "config.y"], answer)).toEqual(["config.lr", "config.bs", "config.x", "config.y"]);
    expect(rankKeys(["config.bs", "config.lr"], null)).toEqual(["config.bs", "config.lr"]);
  });
  it("takes the most important keys when none are chosen", () => {
    expect(importantKeys([], ["config.a"], answer, 2)).toEqual(["config.lr", "config.opt"]);
    expect(importantKeys([], ["config.a"], null, 2)).toEqual(["config.a"]);
    expect(importantKeys(["config.bs", "config.lr"], [], answer, 1)).toEqual(["config.lr", "config.bs"]);
  });
  it("gives a log axis to a field spanning decades only", () => {
    const specs = parallelSpecs(["config.lr", "config.bs"], { "config.lr": [1e-5, 1e-2], "config.bs": [16, 64] });
    expect(specs).toEqual([{ name: "config.lr", scale: "log" }, { name: "config.bs" }]);
  });
});

describe("sortByMetric", () => {
  it("puts the best first, by the metric's goal, and runs without it last", () => {
    const acc = [0.5, null, 0.9, 0.7];
    expect(sortByMetric([0, 1, 2, 3], acc, false)).toEqual([2, 3, 0, 1]);
    expect(sortByMetric([0, 1, 2, 3], acc, true)).toEqual([0, 3, 2, 1]);
    expect(sortByMetric([3, 0], acc, false)).toEqual([3, 0]);
  });
});
