import { describe, expect, it } from "vitest";
import { SeriesCache, type KeysAnswer } from "./seriesCache";

const ALL = ["a", "b", "c", "d"];

function answer(series: Record<string, number[]>, offset: number, extra: Partial<KeysAnswer> = {}): KeysAnswer {
  const out: KeysAnswer = { keys: ALL, series: {}, stages: [], offset, ...extra };
  for (const [k, xs] of Object.entries(series)) out.series[k] = { x: xs, y: xs.map((v) => v * 10) };
  return out;
}

describe("SeriesCache", () => {
  it("holds the fetched keys and knows the missing ones", () => {
    const cache = new SeriesCache(10);
    expect(cache.missing(["a", "b"])).toEqual(["a", "b"]);
    cache.apply(["a", "b"], answer({ a: [1, 2], b: [1] }, 100));
    expect(cache.missing(["a", "c", "b"])).toEqual(["c"]);
    const h = cache.history();
    expect(h.keys).toEqual(ALL);
    expect(h.series.a).toEqual({ x: [1, 2], y: [10, 20] });
    expect(Object.keys(h.series).sort()).toEqual(["a", "b"]);
  });

  it("groups keys by the offset they are up to date with", () => {
    const cache = new SeriesCache(10);
    cache.apply(["a", "b"], answer({ a: [1], b: [1] }, 100));
    cache.apply(["c"], answer({ c: [1, 2] }, 180));
    expect(cache.staleGroups(["a", "b", "c", "d"])).toEqual([
      { since: 100, keys: ["a", "b"] },
      { since: 180, keys: ["c"] },
    ]);
  });

  it("appends what a since= poll brings, and the groups merge", () => {
    const cache = new SeriesCache(10);
    cache.apply(["a", "b"], answer({ a: [1], b: [1] }, 100));
    cache.apply(["c"], answer({ c: [1, 2] }, 180));
    cache.apply(["a", "b"], answer({ a: [2, 3], b: [] }, 250), 100);
    cache.apply(["c"], answer({ c: [3] }, 250), 180);
    const h = cache.history();
    expect(h.series.a.x).toEqual([1, 2, 3]);
    expect(h.series.b.x).toEqual([1]);
    expect(h.series.c.x).toEqual([1, 2, 3]);
    expect(cache.staleGroups(["a", "b", "c"])).toEqual([{ since: 250, keys: ["a", "b", "c"] }]);
  });

  it("keeps the same history object after a quiet poll", () => {
    const cache = new SeriesCache(10);
    cache.apply(["a"], answer({ a: [1] }, 100));
    const before = cache.history();
    cache.apply(["a"], answer({ a: [] }, 100), 100);
    expect(cache.history()).toBe(before);
    cache.apply(["a"], answer({ a: [2] }, 120), 100);
    expect(cache.history()).not.toBe(before);
  });

  it("ignores a poll for a key fetched again meanwhile", () => {
    const cache = new SeriesCache(10);
    cache.apply(["a"], answer({ a: [1] }, 100));
    cache.apply(["a"], answer({ a: [1, 2] }, 150)); // fetched whole again
    cache.apply(["a"], answer({ a: [2] }, 150), 100); // a late poll from the old offset
    expect(cache.history().series.a.x).toEqual([1, 2]);
  });

  it("replaces a key's series when the events file was replaced", () => {
    const cache = new SeriesCache(10);
    cache.apply(["a"], answer({ a: [1, 2, 3] }, 300));
    cache.apply(["a"], answer({ a: [1] }, 40, { restarted: true }), 300);
    expect(cache.history().series.a.x).toEqual([1]);
    expect(cache.staleGroups(["a"])).toEqual([{ since: 40, keys: ["a"] }]);
  });

  it("holds no series for a key the run does not have until it appears", () => {
    const cache = new SeriesCache(10);
    cache.apply(["z"], { keys: ALL, series: { z: { x: [], y: [] } }, stages: [], offset: 100 });
    expect(cache.missing(["z"])).toEqual([]);
    expect(cache.history().series.z).toBeUndefined();
    cache.apply(["z"], { keys: [...ALL, "z"], series: { z: { x: [5], y: [1] } }, stages: [], offset: 130 }, 100);
    expect(cache.history().series.z).toEqual({ x: [5], y: [1] });
    expect(cache.history().keys).toContain("z");
  });

  it("keeps the run's stages, extending them with each poll", () => {
    const cache = new SeriesCache(10);
    const train = { stage: "train", x_start: 0, x_end: 5 };
    cache.apply(["a"], answer({ a: [1] }, 100, { stages: [train] }));
    cache.apply(["a"], answer({ a: [6] }, 140, { stages: [{ stage: "train", x_start: 0, x_end: 6 }] }), 100);
    cache.apply(["b"], answer({ b: [1] }, 120, { stages: [train] })); // older than what is held
    expect(cache.history().stages).toEqual([{ stage: "train", x_start: 0, x_end: 6 }]);
    cache.apply(["a"], answer({ a: [7] }, 160, { stages: [{ stage: "val", x_start: 7, x_end: 7 }] }), 140);
    expect(cache.history().stages.map((s) => s.stage)).toEqual(["train", "val"]);
  });

  it("drops the least recently used keys beyond its bound, never a kept one", () => {
    const cache = new SeriesCache(2);
    cache.apply(["a"], answer({ a: [1] }, 100));
    cache.apply(["b"], answer({ b: [1] }, 100));
    cache.apply(["c"], answer({ c: [1] }, 100));
    cache.touch(["a"]);
    cache.evict(new Set(["c"]));
    expect(cache.size).toBe(2);
    expect(cache.missing(ALL)).toEqual(["b", "d"]);
    cache.evict(new Set(["a", "c", "d"])); // all kept: over the bound until they scroll away
    expect(cache.size).toBe(2);
  });
});
