// Jobs: the agent's queue as the viewer reads it, a run's checkpoints, and the agent's own API for
// the Jobs page's buttons (docs/agent.md#api).
import { enc, getJson, HintedError } from "./http";

/** One rn.log_checkpoint of a run. */
export interface Checkpoint {
  ts: number | null;
  path: string;
  step: number | null;
}

/** One job of the agent's queue, as the viewer reads it (GET /api/jobs). */
export interface Job {
  id: string;
  status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
  project: string;
  name: string;
  run_id: string;
  run_key: string | null;
  command: string[] | string | null;
  gpus: number;
  gpu_ids: number[];
  attempts: number;
  max_retries: number;
  exit_code: number | null;
  error: string | null;
  /** A pending job: what it waits for (Slurm's reason such as "Resources", or "requires PATH"). */
  waiting_for?: string | null;
  resume_from: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface JobList {
  jobs: Job[];
  total: number;
  projects: string[];
  /** null: no queue database under the storage root (no agent ever ran); `hint` says how to start one. */
  agent: { url: string | null } | null;
  hint?: string;
  /** With `agent: null`: the command that starts an agent (the hint's command alone). */
  start?: string;
}

export interface JobDetail extends Job {
  run_status: string | null;
  step: number | null;
  metrics: Record<string, number>;
  checkpoints: Checkpoint[];
  last_log_lines: string[];
}

export const jobsApi = {
  checkpoints: (key: string) => getJson<Checkpoint[]>(`/api/runs/${enc(key)}/checkpoints`),
  jobs: (p: { status?: string; project?: string; limit?: number }) => getJson<JobList>("/api/jobs", p),
  job: (id: string) => getJson<JobDetail>(`/api/jobs/${enc(id)}`),

};

/** The agent's own API (docs/agent.md#api), called from the page at the configured agent URL.
 * Cross-origin: the agent must allow this page's origin (`runicorn agent --cors-origin ORIGIN`).
 * The agent answers its owner only: `token` (the output of `runicorn agent token`) goes with
 * every call as a Bearer header; without it (or with a wrong one) calls fail with status 401. */
export function agentApi(agentUrl: string, token: string | null = null) {
  const base = agentUrl.replace(/\/+$/, "");
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => null);
    if (!res.ok) {
      const message = answer && typeof answer.error === "string" ? answer.error : `${res.status} ${res.statusText}`;
      throw new HintedError(message, res.status, answer && typeof answer.hint === "string" ? answer.hint : null);
    }
    return answer;
  };
  return {
    cancel: (id: string) => post(`/api/jobs/${enc(id)}/cancel`, {}),
    resume: (id: string) => post(`/api/jobs/${enc(id)}/resume`, {}),
    submit: (command: string) => post("/api/jobs", { command, shell: true }),
  };
}

export type AgentApi = ReturnType<typeof agentApi>;
