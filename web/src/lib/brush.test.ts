import { describe, expect, it } from "vitest";
import { axisFraction, brushFromDrag, brushSelection, selectedLines, selectedRows, setBrush } from "./brush";
import { layoutParallel } from "./parallel";

const box = { width: 300, height: 120, padding: { top: 10, right: 20, bottom: 10, left: 20 } };
const items = [
  { lr: 0.1, opt: "adam", acc: 0.5 },
  { lr: 0.2, opt: "sgd", acc: 0.9 },
  { lr: 0.3, opt: "adam", acc: 0.7 },
  { lr: null, opt: "adam", acc: 0.6 },
];
const layout = layoutParallel(items, [{ name: "lr" }, { name: "opt" }, { name: "acc" }], box);

describe("brushing", () => {
  it("measures an axis from the bottom (0) to the top (1)", () => {
    expect(axisFraction(110, 10, 110)).toBe(0);
    expect(axisFraction(10, 10, 110)).toBe(1);
    expect(axisFraction(60, 10, 110)).toBe(0.5);
  });

  it("turns a drag in either direction into an ordered, clamped range", () => {
    expect(brushFromDrag("lr", 10, 60, 10, 110)).toEqual({ field: "lr", lo: 0.5, hi: 1 });
    expect(brushFromDrag("lr", 200, 60, 10, 110)).toEqual({ field: "lr", lo: 0, hi: 0.5 });
  });

  it("selects every line without brushes", () => {
    expect([...selectedLines(layout, [], 10, 110)]).toEqual([0, 1, 2, 3]);
  });

  it("keeps the lines inside a brush, leaving out lines with no value there", () => {
    expect([...selectedLines(layout, [{ field: "lr", lo: 0.4, hi: 1 }], 10, 110)]).toEqual([1, 2]);
  });

  it("ANDs brushes on several axes, a category axis included", () => {
    const brushes = [
      { field: "lr", lo: 0.4, hi: 1 },
      { field: "opt", lo: 0, hi: 0.1 }, // adam sits at the bottom (first met)
    ];
    expect([...selectedLines(layout, brushes, 10, 110)]).toEqual([2]);
  });

  it("ignores a brush on a field the plot does not show", () => {
    expect(selectedLines(layout, [{ field: "gone", lo: 0, hi: 0.1 }], 10, 110).size).toBe(4);
  });

  it("keeps one brush per axis and removes it on request", () => {
    let b = setBrush([], "lr", { field: "lr", lo: 0, hi: 0.5 });
    b = setBrush(b, "acc", { field: "acc", lo: 0.2, hi: 0.3 });
    b = setBrush(b, "lr", { field: "lr", lo: 0.6, hi: 0.7 });
    expect(b).toEqual([
      { field: "acc", lo: 0.2, hi: 0.3 },
      { field: "lr", lo: 0.6, hi: 0.7 },
    ]);
    expect(setBrush(b, "acc", null)).toEqual([{ field: "lr", lo: 0.6, hi: 0.7 }]);
  });
});

describe("selectedRows", () => {
  it("selects the same runs as the drawn plot, whatever its size", () => {
    const fields = [{ name: "lr" }, { name: "opt" }, { name: "acc" }];
    const brushes = [{ field: "acc", lo: 0.5, hi: 1 }];
    expect([...selectedRows(items, fields, brushes)]).toEqual([1, 2]);
    expect([...selectedLines(layout, brushes, 10, 110)]).toEqual([1, 2]);
  });
});

describe("brushSelection", () => {
  const runs = [
    { lr: 0.0001, opt: "adam", acc: 0.5 },
    { lr: 0.001, opt: 'sg"d', acc: 0.9 },
    { lr: 0.01, opt: null, acc: 0.7 },
    { lr: 0.1, opt: "adam", acc: 0.6 },
  ];
  const fields = [{ name: "config.lr", scale: "log" as const }, { name: "config.opt" }, { name: "summary.acc" }];
  const items = runs.map((r) => ({ "config.lr": r.lr, "config.opt": r.opt, "summary.acc": r.acc }));

  it("has no query without brushes", () => {
    expect(brushSelection(items, fields, [])).toEqual({ rows: new Set([0, 1, 2, 3]), where: null });
  });

  it("spells a numeric brush as the range of the values inside it (log axis included)", () => {
    const { rows, where } = brushSelection(items, fields, [{ field: "config.lr", lo: 0.3, hi: 0.7 }]);
    expect([...rows]).toEqual([1, 2]);
    expect(where).toBe("config.lr >= 0.001 and config.lr <= 0.01");
  });

  it("spells a category brush as a list, quoting strings and keeping runs with no value", () => {
    const { rows, where } = brushSelection(items, fields, [{ field: "config.opt", lo: 0.4, hi: 1 }]);
    expect([...rows]).toEqual([1, 2]);
    expect(where).toBe('(config.opt in ["sg\\"d"] or config.opt == null or not config.opt exists)');
  });

  it("ANDs the brushes, and an empty brush keeps no run", () => {
    const both = brushSelection(items, fields, [
      { field: "config.lr", lo: 0, hi: 0.5 },
      { field: "summary.acc", lo: 0.9, hi: 0.95 },
    ]);
    expect([...both.rows]).toEqual([]);
    expect(both.where).toBe("config.lr >= 0.0001 and config.lr <= 0.001 and id in []");
  });

  it("gives no query for a field the query language cannot spell", () => {
    const odd = items.map((it) => ({ "config.my key": it["config.lr"] }));
    expect(brushSelection(odd, [{ name: "config.my key" }], [{ field: "config.my key", lo: 0, hi: 1 }]).where).toBeNull();
  });
});
