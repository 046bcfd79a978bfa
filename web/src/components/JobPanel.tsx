// One job's details, opened in a row right under the job's own row on the Jobs page: status,
// command (wrapped), attempts, exit code, the error, its run, "Resume" only where the run
// recorded a checkpoint, the checkpoints newest first (folded), and the last log lines.
import { api, type Job } from "../api";
import { Link, useApp } from "../app";
import { formatTime } from "../lib/format";
import { commandText, jobActions, newestFirst, REFRESH_MS } from "../lib/jobs";
import { runHref } from "../lib/route";
import "./JobPanel.css";
import { StatusBadge } from "./StatusBadge";
import { useApi } from "./useApi";

/** The run a job made, as a link; or a note that it made none (yet). */
export function JobRun({ job, testid, noRunClass }: { job: Job; testid: string; noRunClass: string }) {
  const { t } = useApp();
  if (!job.run_key) return <span class={noRunClass}>{t("jobs.noRun")}</span>;
  return (
    <Link href={runHref(job.run_key)} testid={testid}>
      <span class="mono">{job.run_id}</span>
    </Link>
  );
}

/** `onResume`: null where the page cannot act (no agent_url). */
export function JobPanel({
  id,
  tick,
  onClose,
  onResume,
}: {
  id: string;
  tick: number;
  onClose: () => void;
  onResume: ((id: string) => void) | null;
}) {
  const { t } = useApp();
  const { data: job, error } = useApi(() => api.job(id), [id, tick], { everyMs: REFRESH_MS });
  const checkpoints = job ? newestFirst(job.checkpoints) : [];
  const can = job ? jobActions(job.status, checkpoints.length) : null;
  return (
    <div class="job-panel" data-testid="job-panel">
      <div class="page-head">
        <h2 class="mono">{id}</h2>
        {onResume && can?.resume && (
          <button data-testid="job-resume" onClick={() => onResume(id)}>
            {t("jobs.resume")}
          </button>
        )}
        <button class="ghost" data-testid="job-panel-close" onClick={onClose}>
          {t("jobs.close")}
        </button>
      </div>
      {error && <div class="error">{error}</div>}
      {job && (
        <>
          <dl class="kv">
            <dt>{t("jobs.status")}</dt>
            <dd data-testid="job-status">
              <StatusBadge status={job.status} />
            </dd>
            {job.waiting_for && (
              <>
                <dt>{t("jobs.waitingFor")}</dt>
                <dd data-testid="job-panel-waiting-for">{job.waiting_for}</dd>
              </>
            )}
            <dt>{t("jobs.command")}</dt>
            <dd class="mono job-command">{commandText(job.command)}</dd>
            <dt>{t("jobs.attempts")}</dt>
            <dd data-testid="job-attempts">
              {job.attempts} / {job.max_retries + 1}
            </dd>
            <dt>{t("jobs.exitCode")}</dt>
            <dd data-testid="job-exit-code">{job.exit_code ?? "–"}</dd>
            {job.error && (
              <>
                <dt>{t("jobs.error")}</dt>
                <dd data-testid="job-error" class="job-command">
                  {job.error}
                </dd>
              </>
            )}
            <dt>{t("jobs.gpus")}</dt>
            <dd data-testid="job-gpus">{job.gpu_ids.length ? job.gpu_ids.join(", ") : job.gpus || "–"}</dd>
            <dt>{t("jobs.started")}</dt>
            <dd>{formatTime(job.started_at)}</dd>
            <dt>{t("jobs.ended")}</dt>
            <dd>{formatTime(job.ended_at)}</dd>
            <dt>{t("jobs.run")}</dt>
            <dd>
              <JobRun job={job} testid="job-panel-run" noRunClass="muted" />
            </dd>
          </dl>
          {checkpoints.length === 0 ? (
            <p class="muted small" data-testid="job-no-checkpoints">
              {t("jobs.noCheckpoints")}
            </p>
          ) : (
            <details data-testid="job-checkpoints">
              <summary>
                {t("jobs.checkpoints")} ({checkpoints.length}) · {t("jobs.latest")}{" "}
                <span class="mono">{checkpoints[0].path}</span>
              </summary>
              <ul>
                {checkpoints.map((c) => (
                  <li class="mono small job-command" data-testid="job-checkpoint">
                    {c.path} {c.step !== null ? `· ${c.step}` : ""} {c.ts !== null ? `· ${formatTime(c.ts)}` : ""}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <h3>{t("jobs.logs")}</h3>
          <pre class="log small" data-testid="job-log-lines">
            {job.last_log_lines.join("\n")}
          </pre>
        </>
      )}
    </div>
  );
}
