import { describe, expect, it } from "vitest";
import { crumbs, joinPath, looksLikeRunFolder } from "./remotePath";

describe("remote paths", () => {
  it("breadcrumbs open every ancestor", () => {
    expect(crumbs("/data/exp")).toEqual([
      { label: "/", path: "/" },
      { label: "data", path: "/data" },
      { label: "exp", path: "/data/exp" },
    ]);
    expect(crumbs("/")).toEqual([{ label: "/", path: "/" }]);
  });

  it("joins without doubling the slash", () => {
    expect(joinPath("/", "data")).toBe("/data");
    expect(joinPath("/data", "exp")).toBe("/data/exp");
  });

  it("marks run folders by their id", () => {
    expect(looksLikeRunFolder("20261123_101500_ab12cd")).toBe(true);
    expect(looksLikeRunFolder("runs")).toBe(false);
    expect(looksLikeRunFolder("20261123_101500_ab12cd.tmp")).toBe(false);
  });
});
