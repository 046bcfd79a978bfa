// ANSI SGR colour codes in log lines -> styled text spans. Other escape sequences are dropped.

export interface Span {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
}

const PALETTE = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])/g;

export function parseAnsi(line: string): Span[] {
  const spans: Span[] = [];
  let style: Omit<Span, "text"> = {};
  let last = 0;
  const push = (text: string) => {
    if (text) spans.push({ text, ...style });
  };
  for (const m of line.matchAll(ESCAPE)) {
    push(line.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
    if (m[2] !== "m") continue;
    const codes = m[1] === "" ? [0] : m[1].split(";").map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) style = {};
      else if (c === 1) style = { ...style, bold: true };
      else if (c === 22) style = { ...style, bold: false };
      else if (c >= 30 && c <= 37) style = { ...style, fg: PALETTE[c - 30] };
      else if (c >= 90 && c <= 97) style = { ...style, fg: "bright-" + PALETTE[c - 90] };
      else if (c === 39) style = { ...style, fg: undefined };
      else if (c >= 40 && c <= 47) style = { ...style, bg: PALETTE[c - 40] };
      else if (c === 49) style = { ...style, bg: undefined };
      else if ((c === 38 || c === 48) && codes[i + 1] === 5) i += 2; // 256 colours: ignored
      else if ((c === 38 || c === 48) && codes[i + 1] === 2) i += 4; // true colour: ignored
    }
  }
  push(line.slice(last));
  return spans;
}

/** The line without escape codes (for search). */
export function stripAnsi(line: string): string {
  return line.replace(ESCAPE, "");
}
