import { describe, expect, it } from "vitest";
import { heatColour, heatGrid, heatPixels } from "./heatmap";

describe("heatGrid", () => {
  it("spreads every step's bins onto one grid spanning all steps, keeping each step's total", () => {
    const grid = heatGrid(
      { steps: [1, 2], edges: [[0, 1, 2], [2, 3, 4]], counts: [[4, 2], [1, 3]] },
      4,
    );
    expect([grid.lo, grid.hi, grid.cols, grid.rows]).toEqual([0, 4, 2, 4]);
    expect(Array.from(grid.cells)).toEqual([4, 2, 0, 0, 0, 0, 1, 3]);
    expect(grid.max).toBe(4);
  });

  it("splits a bin across the rows it overlaps in proportion", () => {
    const grid = heatGrid({ steps: [0], edges: [[0, 2]], counts: [[10]] }, 4);
    expect(Array.from(grid.cells)).toEqual([2.5, 2.5, 2.5, 2.5]);
  });

  it("a histogram whose edges are all equal still gets a grid", () => {
    const grid = heatGrid({ steps: [0], edges: [[3, 3]], counts: [[1]] }, 2);
    expect(grid.hi).toBeGreaterThan(grid.lo);
  });
});

describe("heatColour / heatPixels", () => {
  it("empty cells are transparent, fuller cells darker", () => {
    expect(heatColour(0)).toEqual([0, 0, 0, 0]);
    const light = heatColour(0.1);
    const dark = heatColour(1);
    expect(light[3]).toBe(255);
    expect(dark[0] + dark[1] + dark[2]).toBeLessThan(light[0] + light[1] + light[2]);
  });

  it("puts high values at the top of the image", () => {
    const grid = heatGrid({ steps: [0], edges: [[0, 1, 2]], counts: [[0, 5]] }, 2);
    const px = heatPixels(grid);
    expect(px[3]).toBe(255); // top row: the bin 1..2 holds the counts
    expect(px[7]).toBe(0); // bottom row: empty
  });
});
