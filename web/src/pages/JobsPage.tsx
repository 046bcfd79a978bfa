// Jobs: the queue of `runicorn agent`, read by the viewer without writing it (GET /api/jobs),
// refreshed every few seconds, grouped by project, with one job's details in a panel. Buttons
// that act (cancel, resume, submit) appear only when the viewer has an agent_url, and call the
// agent there directly: the viewer never writes the queue. The agent answers its owner only: on
// its 401 the page asks for its token (`runicorn agent token`), keeps it in this tab for that
// agent URL, sends it as a Bearer header, and does what was asked.
import { useEffect, useState } from "preact/hooks";
import { type AgentApi, agentApi, ApiError, api, type Job } from "../api";
import { Link, useApp } from "../app";
import { DataTable, PageHead } from "../components/ListCard";
import { useApi } from "../components/useApi";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";
import { errorMessage } from "../lib/load";
import {
  commandText,
  groupByProject,
  JOB_STATUSES,
  jobActions,
  keepAgentToken,
  loadAgentToken,
  REFRESH_MS,
} from "../lib/jobs";
import { runHref } from "../lib/route";

export function JobsPage() {
  const { t } = useApp();
  const [status, setStatus] = useState("");
  const [project, setProject] = useState("");
  const [agentUrl, setAgentUrl] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [agentToken, setAgentToken] = useState<string | null>(null);
  // an action the agent refused for want of its token: done again once the token is given
  const [waiting, setWaiting] = useState<{ run: (agent: AgentApi) => Promise<unknown> } | null>(null);
  const refresh = () => setTick((n) => n + 1);

  useEffect(() => {
    api.config().then(
      (c) => {
        const url = c.agent_url ?? null;
        setAgentUrl(url);
        if (url) setAgentToken(loadAgentToken(sessionStorage, url));
      },
      () => undefined,
    );
  }, []);
  const queue = useApi(() => api.jobs({ status: status || undefined, project: project || undefined, limit: 500 }), [status, project, tick], {
    everyMs: REFRESH_MS,
  });
  const list = queue.data;
  // an action's failure shows until the list next loads
  const [actionError, setActionError] = useState<string | null>(null);
  useEffect(() => setActionError(null), [list]);
  const error = actionError ?? queue.error;

  const agent = agentUrl ? agentApi(agentUrl, agentToken) : null;
  const act = (run: (agent: AgentApi) => Promise<unknown>, token: string | null = agentToken) => {
    if (!agentUrl) return;
    run(agentApi(agentUrl, token)).then(refresh, (e) => {
      if (e instanceof ApiError && e.status === 401) {
        keepAgentToken(sessionStorage, agentUrl, null); // missing or wrong: ask for it
        setAgentToken(null);
        setWaiting({ run });
        return;
      }
      setActionError(errorMessage(e));
    });
  };
  const giveToken = (token: string) => {
    if (!agentUrl) return;
    keepAgentToken(sessionStorage, agentUrl, token);
    const kept = token.trim();
    setAgentToken(kept);
    const pending = waiting;
    setWaiting(null);
    if (pending) act(pending.run, kept);
  };

  return (
    <section>
      <PageHead title={t("jobs.title")}>
        <select data-testid="jobs-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">{t("jobs.allStatuses")}</option>
          {JOB_STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <select data-testid="jobs-project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>
          <option value="">{t("jobs.allProjects")}</option>
          {(list?.projects ?? []).map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
      </PageHead>
      {error && (
        <div class="error" data-testid="jobs-error">
          {error}
        </div>
      )}
      {waiting && agentUrl && (
        <AgentTokenForm agentUrl={agentUrl} onGive={giveToken} onCancel={() => setWaiting(null)} />
      )}
      {agent ? <SubmitBox onSubmit={(command) => act((a) => a.submit(command))} agentUrl={agentUrl!} /> : (
        <p class="muted small" data-testid="jobs-read-only">
          {t("jobs.readOnly")}
        </p>
      )}
      {list && list.agent === null && (
        <div class="card empty" data-testid="jobs-no-agent">
          {t("jobs.noAgent")} <code data-testid="jobs-hint">{list.hint}</code>
        </div>
      )}
      {list && list.agent !== null && list.jobs.length === 0 && (
        <div class="card empty" data-testid="jobs-empty">
          {t("jobs.empty")}
        </div>
      )}
      {list &&
        groupByProject(list.jobs).map(([name, jobs]) => (
          <div class="card" data-testid="jobs-group" data-project={name}>
            <h3>{name}</h3>
            <DataTable
              testid="jobs-table"
              headers={["jobs.id", "jobs.name", "jobs.status", "jobs.command", "jobs.attempts", "jobs.created", "jobs.run", ...(agent ? ([""] as const) : [])]}
            >
                {jobs.map((j) => {
                  const can = jobActions(j.status);
                  return (
                    <tr data-testid="job-row" data-job={j.id} data-status={j.status}>
                      <td>
                        <button class="link mono" data-testid="job-open" onClick={() => setSelected(j.id)}>
                          {j.id}
                        </button>
                      </td>
                      <td>{j.name}</td>
                      <td>
                        <StatusBadge status={j.status} />
                      </td>
                      <td class="mono small">{commandText(j.command)}</td>
                      <td>{j.attempts}</td>
                      <td class="muted small">{formatTime(j.created_at)}</td>
                      <td>
                        <JobRun job={j} testid="job-run-link" noRunClass="muted small" />
                      </td>
                      {agent && (
                        <td>
                          {can.cancel && (
                            <button data-testid="job-cancel" onClick={() => act((a) => a.cancel(j.id))}>
                              {t("jobs.cancel")}
                            </button>
                          )}
                          {can.resume && (
                            <button data-testid="job-resume" onClick={() => act((a) => a.resume(j.id))}>
                              {t("jobs.resume")}
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
            </DataTable>
          </div>
        ))}
      {selected && <JobPanel id={selected} tick={tick} onClose={() => setSelected(null)} />}
    </section>
  );
}

/** The run a job made, as a link; or a note that it made none (yet). */
function JobRun({ job, testid, noRunClass }: { job: Job; testid: string; noRunClass: string }) {
  const { t } = useApp();
  if (!job.run_key) return <span class={noRunClass}>{t("jobs.noRun")}</span>;
  return (
    <Link href={runHref(job.run_key)} testid={testid}>
      <span class="mono">{job.run_id}</span>
    </Link>
  );
}

function AgentTokenForm({
  agentUrl,
  onGive,
  onCancel,
}: {
  agentUrl: string;
  onGive: (token: string) => void;
  onCancel: () => void;
}) {
  const { t } = useApp();
  const [token, setToken] = useState("");
  return (
    <form
      class="card jobs-token"
      data-testid="agent-token-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) onGive(token);
      }}
    >
      <p>
        {t("jobs.tokenAsk")} <code>{agentUrl}</code>
      </p>
      <p class="muted small">
        {t("jobs.tokenHow")} <code>runicorn agent token</code>
      </p>
      <input
        type="password"
        autocomplete="off"
        data-testid="agent-token-input"
        value={token}
        placeholder={t("jobs.tokenPlaceholder")}
        onInput={(e) => setToken(e.currentTarget.value)}
      />
      <button type="submit" data-testid="agent-token-give">
        {t("jobs.tokenGive")}
      </button>
      <button type="button" class="ghost" data-testid="agent-token-cancel" onClick={onCancel}>
        {t("jobs.close")}
      </button>
    </form>
  );
}

function SubmitBox({ onSubmit, agentUrl }: { onSubmit: (command: string) => void; agentUrl: string }) {
  const { t } = useApp();
  const [command, setCommand] = useState("");
  return (
    <form
      class="jobs-submit"
      data-testid="jobs-submit-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (command.trim()) onSubmit(command.trim());
        setCommand("");
      }}
    >
      <input
        data-testid="jobs-submit-command"
        value={command}
        placeholder={t("jobs.submitPlaceholder")}
        onInput={(e) => setCommand(e.currentTarget.value)}
      />
      <button type="submit" data-testid="jobs-submit">
        {t("jobs.submit")}
      </button>
      <span class="muted small" data-testid="jobs-agent-url">
        {t("jobs.agentAt")} {agentUrl}
      </span>
    </form>
  );
}

function JobPanel({ id, tick, onClose }: { id: string; tick: number; onClose: () => void }) {
  const { t } = useApp();
  const { data: job, error } = useApi(() => api.job(id), [id, tick], { everyMs: REFRESH_MS });
  return (
    <div class="card job-panel" data-testid="job-panel">
      <div class="page-head">
        <h2 class="mono">{id}</h2>
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
            <dt>{t("jobs.command")}</dt>
            <dd class="mono">{commandText(job.command)}</dd>
            <dt>{t("jobs.attempts")}</dt>
            <dd data-testid="job-attempts">
              {job.attempts} / {job.max_retries + 1}
            </dd>
            <dt>{t("jobs.exitCode")}</dt>
            <dd data-testid="job-exit-code">{job.exit_code ?? "–"}</dd>
            {job.error && (
              <>
                <dt>{t("jobs.error")}</dt>
                <dd data-testid="job-error">{job.error}</dd>
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
          <h3>{t("jobs.checkpoints")}</h3>
          {job.checkpoints.length === 0 ? (
            <p class="muted small">{t("jobs.noCheckpoints")}</p>
          ) : (
            <ul data-testid="job-checkpoints">
              {job.checkpoints.map((c) => (
                <li class="mono small" data-testid="job-checkpoint">
                  {c.path} {c.step !== null ? `· ${c.step}` : ""}
                </li>
              ))}
            </ul>
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
