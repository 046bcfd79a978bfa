import { describe, expect, it } from "vitest";
import {
  alignSeries,
  appendSeries,
  appendStages,
  chartCsv,
  EMPTY_HISTORY,
  groupByPrefix,
  mergeBatch,
  positiveOnly,
  stagePhases,
} from "./series";

describe("series", () => {
  it("appends rows fetched with since=", () => {
    const s = appendSeries({ x: [0, 1], y: [1, 2] }, { x: [2], y: [3] });
    expect(s).toEqual({ x: [0, 1, 2], y: [1, 2, 3] });
    expect(appendSeries(undefined, { x: [5], y: [null] })).toEqual({ x: [5], y: [null] });
  });

  it("folds polled batches into a run's history", () => {
    const first = mergeBatch(EMPTY_HISTORY, { keys: ["a"], series: { a: { x: [1], y: [2] } }, stages: [] }, undefined);
    expect(first.series.a).toEqual({ x: [1], y: [2] });
    const quiet = mergeBatch(first, { keys: ["a"], series: { a: { x: [], y: [] } }, stages: [] }, 10);
    expect(quiet).toBe(first);
    const more = mergeBatch(first, { keys: ["a", "b"], series: { a: { x: [2], y: [3] }, b: { x: [2], y: [9] } }, stages: [] }, 10);
    expect(more.keys).toEqual(["a", "b"]);
    expect(more.series.a).toEqual({ x: [1, 2], y: [2, 3] });
    expect(more.series.b).toEqual({ x: [2], y: [9] });
    const restarted = mergeBatch(more, { keys: ["c"], series: { c: { x: [0], y: [1] } }, stages: [], restarted: true }, 20);
    expect(restarted.keys).toEqual(["c"]);
    expect(restarted.series.a).toBeUndefined();
  });

  it("joins a stage that continues across batches", () => {
    const st = appendStages([{ stage: "train", x_start: 0, x_end: 5 }], [
      { stage: "train", x_start: 6, x_end: 9 },
      { stage: "val", x_start: 10, x_end: 12 },
    ]);
    expect(st).toEqual([
      { stage: "train", x_start: 0, x_end: 9 },
      { stage: "val", x_start: 10, x_end: 12 },
    ]);
  });

  it("groups keys by prefix, plain keys first", () => {
    expect(groupByPrefix(["val/acc", "loss", "train/loss", "train/acc"])).toEqual([
      ["", ["loss"]],
      ["train", ["train/acc", "train/loss"]],
      ["val", ["val/acc"]],
    ]);
  });

  it("orders numbered prefixes and keys as numbers", () => {
    expect(groupByPrefix(["layer10/m0", "layer2/m10", "layer2/m9", "layer1/m0"])).toEqual([
      ["layer1", ["layer1/m0"]],
      ["layer2", ["layer2/m9", "layer2/m10"]],
      ["layer10", ["layer10/m0"]],
    ]);
  });

  it("aligns runs with different steps on one x axis", () => {
    const [x, a, b] = alignSeries([
      { x: [0, 2, 4], y: [1, 2, 3] },
      { x: [1, 2, 5], y: [9, 8, 7] },
    ]);
    expect(x).toEqual([0, 1, 2, 4, 5]);
    expect(a).toEqual([1, null, 2, 3, null]);
    expect(b).toEqual([null, 9, 8, null, 7]);
  });

  it("drops non-positive values for log scale", () => {
    expect(positiveOnly([1, 0, -2, null, 3])).toEqual([1, null, null, null, 3]);
  });

  it("writes CSV with empty cells for gaps and quoted names", () => {
    const csv = chartCsv("step", ["run,a", "b"], [[0, 1], [0.5, null], [null, 2]]);
    expect(csv).toBe('step,"run,a",b\n0,0.5,\n1,,2\n');
  });

  it("keeps names that look like formulas as text and negative numbers as numbers", () => {
    const csv = chartCsv("step", ["=HYPERLINK(1)", "-2+3", "@SUM(A1)", "+x", "\tcmd", "ok"], [
      [0],
      [-0.5],
      [-1e-3],
      [-4],
      [2],
      [3],
      [1],
    ]);
    expect(csv).toBe("step,'=HYPERLINK(1),'-2+3,'@SUM(A1),'+x,'\tcmd,ok\n0,-0.5,-0.001,-4,2,3,1\n");
  });

  it("draws phases, not every interleaved validation point", () => {
    const interleaved = [
      { stage: "train", x_start: 1, x_end: 10 },
      { stage: "val", x_start: 10, x_end: 10 },
      { stage: "train", x_start: 11, x_end: 20 },
    ];
    expect(stagePhases(interleaved)).toEqual([]);
    const phases = [
      { stage: "warmup", x_start: 0, x_end: 99 },
      { stage: "train", x_start: 100, x_end: 500 },
    ];
    expect(stagePhases(phases)).toEqual(phases);
  });
});
