// Why a run ended, above its tabs: the status, the cause in words (timed out, stopped early by its
// sweep, a signal, an interrupt, an error), the exit code, the attempts and the error's last line;
// then the run's tags and notes. The command line itself stays on the Meta card.
import type { RunDetail } from "../api";
import { useApp } from "../app";
import type { MessageKey } from "../lib/messages.en";
import { runEnd, type EndCause } from "../lib/runEnd";

const CAUSE_WORDS: Record<Exclude<EndCause, null>, MessageKey> = {
  timeout: "end.timeout",
  early_terminate: "end.earlyTerminate",
  signal: "end.signal",
  interrupt: "end.interrupt",
  error: "end.error",
  exit_code: "end.exitCodeCause",
};

export function RunEnd({ run }: { run: RunDetail }) {
  const { t } = useApp();
  const end = runEnd(run.status, run.status_file);
  const tags = run.tags ?? [];
  const said = end.cause || end.exitCode !== null || end.attempts !== null || end.error;
  if (!said && tags.length === 0 && !run.notes) return null;
  const statusWord = t(`status.${run.status}` as MessageKey) ?? run.status;
  return (
    <div class="card run-end" data-testid="run-end" data-cause={end.cause ?? ""}>
      {said && (
        <>
          <span class="muted small">{t("end.title")}</span>
          <span class="end-cause" data-testid="run-end-cause">
            {end.cause
              ? t(CAUSE_WORDS[end.cause])
                  .replace("{signal}", end.signal ?? "")
                  .replace("{reason}", end.reason ?? "")
              : statusWord}
          </span>
          {end.exitCode !== null && (
            <span data-testid="run-end-exit-code">{t("end.exitCode").split("{code}").join(String(end.exitCode))}</span>
          )}
          {end.attempts !== null && (
            <span data-testid="run-end-attempts">{t("end.attempts").replace("{n}", String(end.attempts))}</span>
          )}
          {end.error && (
            <code class="end-error error" data-testid="run-end-error">
              {end.error}
            </code>
          )}
        </>
      )}
      {tags.length > 0 && (
        <span class="run-tags" data-testid="run-tags">
          <span class="muted small">{t("runs.tags")}</span>
          {tags.map((tag) => (
            <span class="tag" data-testid="run-tag">
              {tag}
            </span>
          ))}
        </span>
      )}
      {run.notes && (
        <span class="run-notes" data-testid="run-notes">
          <span class="muted small">{t("end.notes")}</span> {run.notes}
        </span>
      )}
    </div>
  );
}
