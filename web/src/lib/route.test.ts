import { describe, expect, it } from "vitest";
import { artifactHref, compareHref, parseRoute, runHref } from "./route";

describe("routes", () => {
  it("parses every page", () => {
    expect(parseRoute("/", "")).toEqual({ page: "runs" });
    expect(parseRoute("/gpu/", "")).toEqual({ page: "gpu" });
    expect(parseRoute("/import", "")).toEqual({ page: "import" });
    expect(parseRoute("/remote/", "")).toEqual({ page: "remote" });
    expect(parseRoute("/compare", "?ids=a,b")).toEqual({ page: "compare", ids: ["a", "b"] });
    expect(parseRoute("/compare", "?ids=a,b&media=val%2Fsamples")).toEqual({ page: "compare", ids: ["a", "b"], media: "val/samples" });
    expect(compareHref(["a"], "val/samples")).toBe("/compare?ids=a&media=val%2Fsamples");
    expect(parseRoute("/nope/x", "")).toEqual({ page: "notfound", path: "/nope/x" });
  });

  it("run keys round-trip through links", () => {
    const key = "20261123_101500_ab12cd.0f0f0f0f";
    expect(parseRoute(runHref(key), "")).toEqual({ page: "run", key, overlay: [] });
    const href = compareHref(["a", "b"]);
    const [p, q] = href.split("?");
    expect(parseRoute(p, "?" + q)).toEqual({ page: "compare", ids: ["a", "b"] });
  });

  it("a run page keeps its overlaid runs in the query string", () => {
    const href = runHref("main", ["other.1", "x y"]);
    expect(href).toBe("/runs/main?overlay=other.1,x%20y");
    const [p, q] = href.split("?");
    expect(parseRoute(p, "?" + q)).toEqual({ page: "run", key: "main", overlay: ["other.1", "x y"] });
    expect(runHref("main", [])).toBe("/runs/main");
  });

  it("artifact versions round-trip through links", () => {
    expect(parseRoute("/artifacts/", "")).toEqual({ page: "artifacts" });
    expect(parseRoute(artifactHref("my model.v2", "latest"), "")).toEqual({
      page: "artifact",
      name: "my model.v2",
      version: "latest",
    });
  });
});
