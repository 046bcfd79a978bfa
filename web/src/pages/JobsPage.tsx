// Jobs: the queue of `runicorn agent`, read by the viewer without writing it (GET /api/jobs),
// refreshed every few seconds, grouped by project, with one job's details in a panel opened
// right under its row (components/JobPanel.tsx). What the agent answers to a refused action stays
// on the page (with its hint) until dismissed or the next action goes through. Buttons
// that act (cancel, resume, submit) appear only when the viewer has an agent_url, and call the
// agent there directly: the viewer never writes the queue. The agent answers its owner only: on
// its 401 the page asks for its token (`runicorn agent token`), keeps it in this tab for that
// agent URL, sends it as a Bearer header, and does what was asked.
import { useEffect, useState } from "preact/hooks";
import { type AgentApi, agentApi, ApiError, api, HintedError } from "../api";
import { useApp } from "../app";
import { JobPanel, JobRun } from "../components/JobPanel";
import { DataTable, PageHead } from "../components/ListCard";
import { useApi } from "../components/useApi";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";
import { errorMessage } from "../lib/load";
import { commandText, groupByProject, JOB_STATUSES, jobActions, keepAgentToken, loadAgentToken, REFRESH_MS } from "../lib/jobs";

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
  // what the agent said to the last action it refused (or why it could not be reached): kept
  // until dismissed or an action goes through, not cleared by the list's refresh
  const [actionError, setActionError] = useState<{ message: string; hint: string | null } | null>(null);

  const agent = agentUrl ? agentApi(agentUrl, agentToken) : null;
  const act = (run: (agent: AgentApi) => Promise<unknown>, token: string | null = agentToken) => {
    if (!agentUrl) return;
    run(agentApi(agentUrl, token)).then(
      () => {
        setActionError(null);
        refresh();
      },
      (e) => {
        if (e instanceof ApiError && e.status === 401) {
          keepAgentToken(sessionStorage, agentUrl, null); // missing or wrong: ask for it
          setAgentToken(null);
          setWaiting({ run });
          return;
        }
        setActionError({ message: errorMessage(e), hint: e instanceof HintedError ? e.hint : null });
      },
    );
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
            <option value={s}>{t(`status.${s}`)}</option>
          ))}
        </select>
        <select data-testid="jobs-project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>
          <option value="">{t("jobs.allProjects")}</option>
          {(list?.projects ?? []).map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
      </PageHead>
      {queue.error && (
        <div class="error" data-testid="jobs-error">
          {queue.error}
        </div>
      )}
      {actionError && (
        <div class="error jobs-agent-error" data-testid="jobs-agent-error">
          <div>
            {t("jobs.agentSaid")} <span data-testid="jobs-agent-error-message">{actionError.message}</span>
            {actionError.hint && (
              <div class="small" data-testid="jobs-agent-error-hint">
                {t("remote.hint")}: {actionError.hint}
              </div>
            )}
          </div>
          <button class="ghost" data-testid="jobs-agent-error-close" onClick={() => setActionError(null)}>
            {t("jobs.close")}
          </button>
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
          {t("jobs.noAgent")} {list.start && t("jobs.startAgent")} <code data-testid="jobs-hint">{list.start ?? list.hint}</code>
        </div>
      )}
      {list && list.agent !== null && list.jobs.length === 0 && (
        <div class="card empty" data-testid="jobs-empty">
          {t("jobs.empty")}
        </div>
      )}
      {list &&
        groupByProject(list.jobs).map(([name, jobs]) => (
          <div class="card table-scroll jobs-group" data-testid="jobs-group" data-project={name}>
            <h3>{name}</h3>
            <DataTable
              testid="jobs-table"
              headers={["jobs.id", "jobs.name", "jobs.status", "jobs.command", "jobs.attempts", "jobs.created", "jobs.run", ...(agent ? ([""] as const) : [])]}
            >
              {jobs.map((j) => {
                const can = jobActions(j.status);
                const open = selected === j.id;
                return (
                  <>
                    <tr data-testid="job-row" data-job={j.id} data-status={j.status} class={open ? "picked" : undefined}>
                      <td>
                        <button class="link mono" data-testid="job-open" onClick={() => setSelected(open ? null : j.id)}>
                          {j.id}
                        </button>
                      </td>
                      <td>{j.name}</td>
                      <td>
                        <StatusBadge status={j.status} />
                        {j.waiting_for && (
                          <div class="muted small" data-testid="job-waiting-for">
                            {t("jobs.waitingFor")} {j.waiting_for}
                          </div>
                        )}
                      </td>
                      <td class="mono small job-command" data-testid="job-command">
                        {commandText(j.command)}
                      </td>
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
                        </td>
                      )}
                    </tr>
                    {open && (
                      <tr class="job-panel-row" data-testid="job-panel-row" data-job={j.id}>
                        <td colSpan={agent ? 8 : 7}>
                          <JobPanel
                            id={j.id}
                            tick={tick}
                            onClose={() => setSelected(null)}
                            onResume={agent ? (id) => act((a) => a.resume(id)) : null}
                          />
                        </td>
                      </tr>
                    )}
                  </>
                );
              })}
            </DataTable>
          </div>
        ))}
    </section>
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
