import { describe, expect, it } from "vitest";
import { parseAnsi, stripAnsi } from "./ansi";

describe("ansi", () => {
  it("plain text is one span", () => {
    expect(parseAnsi("epoch 1")).toEqual([{ text: "epoch 1" }]);
  });

  it("colours and resets", () => {
    expect(parseAnsi("\x1b[31mERR\x1b[0m ok")).toEqual([{ text: "ERR", fg: "red" }, { text: " ok" }]);
  });

  it("bold + bright colour in one sequence", () => {
    expect(parseAnsi("\x1b[1;92mgood")).toEqual([{ text: "good", bold: true, fg: "bright-green" }]);
  });

  it("drops cursor sequences and 256-colour codes without garbage", () => {
    expect(stripAnsi("\x1b[2K\x1b[38;5;200mx\x1b[m")).toBe("x");
    expect(parseAnsi("\x1b[38;5;200mx")).toEqual([{ text: "x" }]);
  });
});
