// Summary, config and meta (command, git, host) of one run.
import { useState } from "preact/hooks";
import { api, type RunDetail } from "../api";
import { useApp } from "../app";
import type { MessageKey } from "../lib/i18n";
import { formatKeyValue, formatTime, formatValue } from "../lib/format";

/** A list of plain values short enough for one line (`[64, 128]`), shown as it is. */
function isShortList(v: unknown): boolean {
  return Array.isArray(v) && v.length <= 8 && v.every((x) => x === null || typeof x !== "object");
}

/** Keys and values; a nested object (or long list) is a foldable subtree, open to start with. */
function KeyValues({ values, testid, path = "" }: { values: Record<string, unknown>; testid: string; path?: string }) {
  const { t } = useApp();
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return <p class="muted">–</p>;
  return (
    <table class={path ? "kv tree" : "kv"} data-testid={path ? undefined : testid}>
      <tbody>
        {entries.map(([k, v]) => {
          const at = path ? `${path}.${k}` : k;
          const nested = v !== null && typeof v === "object" && !isShortList(v);
          return (
            <tr data-testid={`${testid}-row`} data-key={at}>
              {nested ? (
                <td colSpan={2}>
                  <details open data-testid={`${testid}-node`} data-key={at}>
                    <summary>
                      <strong>{k}</strong>{" "}
                      <span class="muted small">{t("config.keys").replace("{n}", String(Object.keys(v as object).length))}</span>
                    </summary>
                    <KeyValues values={v as Record<string, unknown>} testid={testid} path={at} />
                  </details>
                </td>
              ) : (
                <>
                  <th>{k}</th>
                  <td class="mono" data-testid={`${testid}-value`}>
                    {Array.isArray(v) ? `[${v.map((x) => formatValue(x)).join(", ")}]` : formatKeyValue(k, v)}
                  </td>
                </>
              )}
            </tr>
          );
        })}
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
