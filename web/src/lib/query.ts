// The Runs query box: a query such as `config.lr < 0.01 and tags contains "baseline"`, or plain
// words searched in ids, names, tags and notes. The viewer parses it; a mistake comes back with
// the 1-based column where it was found.

export const QUERY_EXAMPLES = [
  "resnet baseline",
  "config.lr < 0.01",
  "summary.val/acc >= 0.9 and status == \"finished\"",
  "tags contains \"baseline\" and config.optimizer == \"adam\"",
  "config.model.depth > 4 or config.batch_size == 128",
];

/** The line under the query pointing at a 1-based column (clamped to the text, one past its end). */
export function caretLine(query: string, column: number | null | undefined): string {
  if (!column || !Number.isFinite(column)) return "";
  const at = Math.min(Math.max(1, Math.floor(column)), query.length + 1);
  return " ".repeat(at - 1) + "^";
}
