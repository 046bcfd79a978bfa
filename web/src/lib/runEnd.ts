// Why a run ended, from its status and status.json (docs/format.md#statusjson): the status, the
// exit code, the reason (`timeout`, `early_terminate`, a signal, an interrupt), the attempts of a
// command run by `runicorn run` or the agent, and the error's last line.

/** What ended a run, most telling first: a timeout, a sweep's early stop, a signal, Ctrl-C / SIGTERM
 *  to the wrapper, an uncaught error, a non-zero exit, or none of those (it finished, or runs on). */
export type EndCause = "timeout" | "early_terminate" | "signal" | "interrupt" | "error" | "exit_code" | null;

export interface RunEnd {
  status: string;
  cause: EndCause;
  /** status.json's `reason` as written (`timeout`, `early_terminate`, `SIGTERM`…), or `exit_reason`. */
  reason: string | null;
  exitCode: number | null;
  signal: string | null;
  attempts: number | null;
  error: string | null;
}

const TIMEOUT_REASON = "timeout";
const EARLY_STOP_REASON = "early_terminate";

function text(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}

function whole(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

export function runEnd(status: string, statusFile: Record<string, unknown> | null | undefined): RunEnd {
  const file = statusFile ?? {};
  const reason = text(file.reason) ?? text(file.exit_reason);
  const exitCode = whole(file.exit_code);
  const signal = text(file.signal);
  const error = text(file.error);
  let cause: EndCause = null;
  if (reason === TIMEOUT_REASON) cause = "timeout";
  else if (reason === EARLY_STOP_REASON) cause = "early_terminate";
  else if (signal) cause = "signal";
  else if (reason && /^SIG[A-Z]+$/.test(reason)) cause = "interrupt";
  else if (error) cause = "error";
  else if (exitCode !== null && exitCode !== 0) cause = "exit_code";
  return { status, cause, reason, exitCode, signal, attempts: whole(file.attempts), error };
}

/** Whether a run with this status may still change: its page keeps fetching while it does. */
export function isLive(status: string | null | undefined): boolean {
  return status === "running";
}
