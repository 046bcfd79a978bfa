import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW, parseBrush, parseView, serializeView, viewHref, type ViewState } from "./viewState";

describe("view state in the URL", () => {
  it("writes nothing for the default view", () => {
    expect(viewHref(DEFAULT_VIEW)).toBe("/");
    expect(parseView("")).toEqual(DEFAULT_VIEW);
  });

  it("round-trips every field", () => {
    const v: ViewState = {
      q: 'config.lr < 0.01 and tags contains "baseline"',
      project: "vision",
      name: "resnet",
      status: "finished",
      tag: "big",
      sort: "summary.val/acc",
      order: "asc",
      offset: 50,
      columns: ["config.lr", "summary.val/acc", "config.model.depth"],
      differs: true,
      hide: ["host", "id"],
      view: "parallel",
      group: "config.optimizer",
      x: "elapsed",
      band: "std",
      charts: ["val/acc", "train/loss"],
      chartLog: true,
      smoothing: 0.6,
      clip: true,
      metric: "summary.val/acc",
      scatterX: "config.lr",
      scatterY: "summary.val/acc",
      scatterLogX: true,
      scatterLogY: true,
      scatterColor: "config.optimizer",
      brushes: [
        { field: "config.lr", lo: 0.25, hi: 0.5 },
        { field: "summary.val/acc", lo: 0.8, hi: 1 },
      ],
    };
    const href = viewHref(v);
    expect(parseView(href.slice(2))).toEqual(v);
  });

  it("keeps an empty column choice apart from no choice", () => {
    expect(parseView(serializeView({ ...DEFAULT_VIEW, columns: [] })).columns).toEqual([]);
    expect(parseView("").columns).toBeNull();
  });

  it("falls back to defaults on values it does not know", () => {
    const v = parseView("view=bogus&order=sideways&band=odd&offset=-3&smooth=abc&log=yes");
    expect([v.view, v.order, v.band, v.offset, v.smoothing, v.chartLog]).toEqual(["table", "desc", "minmax", 0, 0, false]);
    expect(parseView("smooth=7").smoothing).toBe(0.99);
  });

  it("reads a brush whose field holds colons, ordering and clamping its ends", () => {
    expect(parseBrush("config.a:b:0.9:0.1")).toEqual({ field: "config.a:b", lo: 0.1, hi: 0.9 });
    expect(parseBrush("config.lr:-1:2")).toEqual({ field: "config.lr", lo: 0, hi: 1 });
    expect(parseBrush("config.lr:x:1")).toBeNull();
    expect(parseBrush("0.1:0.2")).toBeNull();
  });

  it("drops malformed brushes and keeps the good ones", () => {
    expect(parseView("brush=a:0:1&brush=bad&brush=b:0.5:0.6").brushes.map((b) => b.field)).toEqual(["a", "b"]);
  });
});
