import { describe, expect, it } from "vitest";
import { columnFormatter, formatBytes, formatDuration, formatIsoTime, formatKeyValue, formatNumber, formatValue, isoTimeTicks, runLabel } from "./format";

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

  it("numbers follow one rule: five significant digits, exponents outside 0.001 to a million", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(1e-4)).toBe("1e-4");
    expect(formatNumber(-0.000012346)).toBe("-1.235e-5");
    expect(formatNumber(2.5e7 + 0.5)).toBe("2.5e+7");
    expect(formatNumber(999999.5)).toBe("1e+6");
    expect(formatNumber(123.456789)).toBe("123.46");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(9999)).toBe("9999");
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatNumber(-3000000)).toBe("-3,000,000");
    expect(formatNumber(1e16)).toBe("1e+16");
    expect(formatNumber(NaN)).toBe("NaN");
  });

  it("a value under a key naming bytes is a human-readable size", () => {
    expect(formatKeyValue("model_bytes", 1536)).toBe("1.5 KiB");
    expect(formatKeyValue("disk/read_bytes", 5 * 1024 ** 3)).toBe("5.0 GiB");
    expect(formatKeyValue("bytes", 12)).toBe("12 B");
    expect(formatKeyValue("bytesize", 12)).toBe("12");
    expect(formatKeyValue("loss", 0.5)).toBe("0.5");
  });

  it("times on time axes are ISO 8601, the date where the day changes", () => {
    const t0 = new Date(2026, 10, 23, 23, 59, 0).getTime() / 1000;
    expect(formatIsoTime(t0)).toBe("2026-11-23T23:59:00");
    expect(isoTimeTicks([t0, t0 + 60, t0 + 120])).toEqual(["2026-11-23\n23:59", "2026-11-24\n00:00", "00:01"]);
    expect(isoTimeTicks([t0, t0 + 10])).toEqual(["2026-11-23\n23:59:00", "23:59:10"]);
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

describe("columnFormatter", () => {
  it("writes a column that would mix exponents and decimals with exponents, one way for all", () => {
    const lrs = [0.001, 0.00147, 0.000759, 0.1, 0];
    const format = columnFormatter(lrs);
    expect(lrs.map(format)).toEqual(["1e-3", "1.47e-3", "7.59e-4", "1e-1", "0"]);
    expect(format(null)).toBe("–");
  });

  it("leaves columns written one way already to formatValue", () => {
    expect([0.93468, 0.971].map(columnFormatter([0.93468, 0.971]))).toEqual(["0.93468", "0.971"]);
    expect([32, 256, 4096].map(columnFormatter([32, 256, 4096]))).toEqual(["32", "256", "4096"]);
    expect([0.1, 0.001].map(columnFormatter([0.1, 0.001]))).toEqual(["0.1", "0.001"]);
  });
});
