import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatValue, runLabel } from "./format";

describe("format", () => {
  it("durations read like a person would say them", () => {
    expect(formatDuration(5)).toBe("5s");
    expect(formatDuration(125)).toBe("2m 5s");
    expect(formatDuration(3 * 3600 + 60)).toBe("3h 1m");
    expect(formatDuration(90000)).toBe("1d 1h");
    expect(formatDuration(null)).toBe("–");
  });

  it("values keep five significant digits and use exponents for tiny numbers", () => {
    expect(formatValue(0.123456789)).toBe("0.12346");
    expect(formatValue(0.00001234)).toBe("1.234e-5");
    expect(formatValue(42)).toBe("42");
    expect(formatValue(null)).toBe("–");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });

  it("bytes in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });

  it("a run is named by its label, never by its id alone", () => {
    const run = { id: "r2", project: "vision", name: "vit" };
    expect(runLabel(run, { project: "vision", name: "vit" })).toBe("vit #r2");
    expect(runLabel({ ...run, label: "vit lr=0.01 bs=32" }, { project: "vision", name: "vit" })).toBe("vit lr=0.01 bs=32");
    expect(runLabel({ ...run, label: "vit" }, { project: "nlp", name: "vit" })).toBe("vision/vit");
    expect(runLabel(run, null)).toBe("vision/vit #r2");
  });
});
