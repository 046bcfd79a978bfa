import { describe, expect, it } from "vitest";
import { isLive, runEnd } from "./runEnd";

describe("runEnd", () => {
  it("a command stopped by --timeout ended by timeout, with exit code 124", () => {
    const end = runEnd("failed", { status: "failed", exit_code: 124, reason: "timeout", attempts: 2 });
    expect(end).toMatchObject({ cause: "timeout", exitCode: 124, attempts: 2, reason: "timeout" });
  });

  it("a sweep's early stop, a signal and an interrupt are told apart", () => {
    expect(runEnd("interrupted", { reason: "early_terminate" }).cause).toBe("early_terminate");
    expect(runEnd("failed", { exit_code: 137, signal: "SIGKILL" })).toMatchObject({ cause: "signal", signal: "SIGKILL" });
    expect(runEnd("interrupted", { reason: "SIGTERM", exit_code: 143 }).cause).toBe("interrupt");
  });

  it("an error outranks its exit code; a bare non-zero exit is the cause itself", () => {
    expect(runEnd("failed", { error: "ValueError: bad lr", exit_code: 1 })).toMatchObject({ cause: "error", error: "ValueError: bad lr" });
    expect(runEnd("failed", { exit_code: 3 }).cause).toBe("exit_code");
  });

  it("a run that finished, or whose status.json is missing or odd, has no cause", () => {
    expect(runEnd("finished", { exit_code: 0 }).cause).toBeNull();
    expect(runEnd("running", null)).toMatchObject({ cause: null, exitCode: null, attempts: null, error: null });
    expect(runEnd("failed", { exit_code: "1", attempts: 1.5, error: "  " })).toMatchObject({ exitCode: null, attempts: null, error: null });
  });

  it("only a running run is live", () => {
    expect(isLive("running")).toBe(true);
    for (const s of ["finished", "failed", "interrupted", "crashed", undefined]) expect(isLive(s)).toBe(false);
  });
});
