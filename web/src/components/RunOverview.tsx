// Summary, config and meta (command, git, host) of one run.
import { useState } from "preact/hooks";
import { api, type RunDetail } from "../api";
import { useApp } from "../app";
import type { MessageKey } from "../lib/i18n";
import { formatTime, formatValue } from "../lib/format";

function KeyValues({ values, testid }: { values: Record<string, unknown>; testid: string }) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return <p class="muted">–</p>;
  return (
    <table class="kv" data-testid={testid}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr>
            <th>{k}</th>
            <td class="mono">
              {v !== null && typeof v === "object" ? <pre>{JSON.stringify(v, null, 2)}</pre> : formatValue(v)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A run's git diff or traceback, fetched when the user opens it. */
function RunText({ runKey, which, title }: { runKey: string; which: "git-diff" | "traceback"; title: string }) {
  const [text, setText] = useState<string | null>(null);
  const load = (open: boolean) => {
    if (open && text === null)
      api.runText(runKey, which).then(setText, (err: Error) => setText(`(${err.message})`));
  };
  return (
    <details class="card" data-testid={`run-${which}`} onToggle={(e) => load((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <h3 style="display:inline">{title}</h3>
      </summary>
      <pre class="mono run-text" data-testid={`run-${which}-text`}>{text ?? "…"}</pre>
    </details>
  );
}

export function RunOverview({ run }: { run: RunDetail }) {
  const { t } = useApp();
  const meta = run.meta ?? {};
  const git = (meta.git ?? null) as Record<string, unknown> | null;
  const argv = Array.isArray(meta.argv) ? (meta.argv as string[]).join(" ") : null;
  return (
    <div class="overview">
      <div class="card">
        <h3>{t("run.summary")}</h3>
        <KeyValues values={run.summary} testid="summary-table" />
      </div>
      <div class="card">
        <h3>{t("run.config")}</h3>
        <KeyValues values={run.config} testid="config-table" />
      </div>
      <div class="card">
        <h3>{t("run.meta")}</h3>
        <table class="kv" data-testid="meta-table">
          <tbody>
            {argv && (
              <tr>
                <th>{t("run.command")}</th>
                <td class="mono">
                  <code data-testid="meta-command">{argv}</code>
                </td>
              </tr>
            )}
            {git && (
              <tr>
                <th>{t("run.gitCommit")}</th>
                <td class="mono" data-testid="meta-git">
                  {String(git.commit ?? "").slice(0, 12)} {git.branch ? `(${git.branch})` : ""}
                  {git.dirty ? <span class="badge badge-failed">{t("run.gitDirty")}</span> : null}
                </td>
              </tr>
            )}
            <tr>
              <th>{t("run.host")}</th>
              <td class="mono">{run.hostname ?? "–"}</td>
            </tr>
            <tr>
              <th>{t("runs.start")}</th>
              <td>{formatTime(run.created_at)}</td>
            </tr>
            {["user", "python", "platform", "cwd", "pid"].map((k) =>
              meta[k] !== undefined ? (
                <tr>
                  <th>{t(`meta.${k}` as MessageKey)}</th>
                  <td class="mono">{formatValue(meta[k])}</td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </div>
      {run.has_traceback && <RunText runKey={run.key} which="traceback" title={t("run.traceback")} />}
      {run.has_git_diff && <RunText runKey={run.key} which="git-diff" title={t("run.gitDiff")} />}
    </div>
  );
}
