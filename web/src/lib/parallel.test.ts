import { describe, expect, it } from "vitest";
import { buildAxis, formatTick, layoutParallel, linesByColor, rampColor, traceLine } from "./parallel";

const box = { width: 300, height: 120, padding: { top: 10, right: 20, bottom: 10, left: 20 } };

describe("layoutParallel", () => {
  it("spaces one axis per field evenly across the box", () => {
    const out = layoutParallel([{ a: 1, b: "x", c: 2 }], [{ name: "a" }, { name: "b" }, { name: "c" }], box);
    expect(out.axes.map((a) => a.x)).toEqual([20, 150, 280]);
    expect(out.axes.map((a) => a.kind)).toEqual(["number", "category", "number"]);
  });

  it("puts the smallest number at the bottom and the largest at the top", () => {
    const out = layoutParallel([{ lr: 0.1 }, { lr: 0.3 }, { lr: 0.2 }], [{ name: "lr" }], box);
    const ys = out.lines.map((l) => l.points[0].y ?? NaN);
    [110, 10, 60].forEach((y, i) => expect(ys[i]).toBeCloseTo(y));
  });

  it("spaces a log axis by orders of magnitude", () => {
    const axis = buildAxis({ name: "lr", scale: "log" }, [0.001, 0.01, 0.1], 0, 0, 100);
    expect(axis.place(0.01)).toBeCloseTo(50);
    expect(axis.ticks.map((t) => t.label)).toEqual(["0.001", "0.01", "0.1"]);
  });

  it("ticks a log axis at powers of ten and says it is one", () => {
    const axis = buildAxis({ name: "lr", scale: "log" }, [2e-5, 3e-4, 0.07], 0, 0, 100);
    expect(axis.log).toBe(true);
    expect(axis.ticks.map((t) => t.label)).toEqual(["1e-4", "1e-3", "1e-2"]); // one way for all
    expect(buildAxis({ name: "lr", scale: "log" }, [0, 0.1], 0, 0, 100).log).toBe(false);
  });

  it("spreads categories in the order first met, and breaks a line at a missing value", () => {
    const out = layoutParallel(
      [{ opt: "adam", loss: 1 }, { opt: "sgd", loss: null }, { opt: "adam", loss: 3 }],
      [{ name: "opt" }, { name: "loss" }],
      box,
    );
    expect(out.axes[0].ticks).toEqual([
      { label: "adam", y: 110 },
      { label: "sgd", y: 10 },
    ]);
    expect(out.lines[1].points[1].y).toBeNull();
  });

  it("colours lines from the colour field, low blue to high red, missing grey", () => {
    const out = layoutParallel([{ m: 0 }, { m: 10 }, { m: null }], [{ name: "m" }], box, "m");
    expect(out.lines.map((l) => l.color)).toEqual([rampColor(0), rampColor(1), "rgb(150,150,150)"]);
    expect(rampColor(0)).not.toEqual(rampColor(1));
  });

  it("gives a field with one value a band around it rather than dividing by zero", () => {
    const out = layoutParallel([{ a: 5 }, { a: 5 }], [{ name: "a" }], box);
    expect(out.lines[0].points[0].y).toBe(60);
  });
});

describe("few values", () => {
  it("ticks a numeric axis with few distinct values at each of them", () => {
    const axis = buildAxis({ name: "batch_size" }, [32, 64, 256, 128, 64], 0, 0, 100);
    expect(axis.ticks.map((t) => t.label)).toEqual(["32", "64", "128", "256"]);
    const many = buildAxis({ name: "x" }, [1, 2, 3, 4, 5, 6, 7], 0, 0, 100);
    expect(many.ticks.map((t) => t.label)).toEqual(["1", "4", "7"]);
  });
});

describe("formatTick", () => {
  it("keeps labels short", () => {
    expect(formatTick(0.000123)).toBe("1.2e-4");
    expect(formatTick(0.123456)).toBe("0.123");
    expect(formatTick(123456)).toBe("1.2e+5");
  });
});

describe("colour buckets", () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ a: i, m: i / 99 }));
  it("rounds colours to a few steps when asked", () => {
    const layout = layoutParallel(items, [{ name: "a" }, { name: "m" }], box, "m", 8);
    expect(new Set(layout.lines.map((l) => l.color)).size).toBe(8);
    expect(new Set(layoutParallel(items, [{ name: "a" }], box, "m").lines.map((l) => l.color)).size).toBe(100);
  });

  it("groups lines by colour, the dimmed ones first", () => {
    const layout = layoutParallel(items, [{ name: "a" }, { name: "m" }], box, "m", 4);
    const all = linesByColor(layout.lines);
    expect(all).toHaveLength(4);
    expect(all.reduce((n, g) => n + g.lines.length, 0)).toBe(100);
    const some = linesByColor(layout.lines, new Set([0, 99]), "grey");
    expect(some[0].color).toBe("grey");
    expect(some[0].lines).toHaveLength(98);
    expect(some.slice(1).map((g) => g.lines.map((l) => l.index))).toEqual([[0], [99]]);
  });
});

describe("traceLine", () => {
  it("lifts the pen over a missing value and goes on after it", () => {
    const calls: string[] = [];
    const sink = {
      moveTo: (x: number, y: number) => calls.push(`M${x},${y}`),
      lineTo: (x: number, y: number) => calls.push(`L${x},${y}`),
    };
    traceLine(sink, [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
      { x: 2, y: null },
      { x: 3, y: 4 },
      { x: 4, y: 5 },
    ]);
    expect(calls).toEqual(["M0,1", "L1,2", "M3,4", "L4,5"]);
  });
});
