// The Jobs page's pure logic: which buttons a job gets, grouping by project, the command shown,
// and where the agent's token is kept.
import type { Job } from "../api";

export const JOB_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
export const REFRESH_MS = 3000;

/** Cancel a job that has not ended; resume one that has, from its latest checkpoint: only when
 * its run recorded `checkpoints` (the agent refuses a resume without one). */
export function jobActions(status: string, checkpoints = 0): { cancel: boolean; resume: boolean } {
  const active = status === "pending" || status === "running";
  const ended = !active && (JOB_STATUSES as readonly string[]).includes(status);
  return { cancel: active, resume: ended && checkpoints > 0 };
}

/** Checkpoints newest first: by time, and in reverse record order where times tie or are missing. */
export function newestFirst<T extends { ts: number | null }>(checkpoints: T[]): T[] {
  return checkpoints
    .map((c, i) => [c, i] as const)
    .sort(([a, i], [b, j]) => (b.ts ?? -Infinity) - (a.ts ?? -Infinity) || j - i)
    .map(([c]) => c);
}

/** Jobs by project, projects in name order, each keeping the list's order (newest first). */
export function groupByProject<T extends Pick<Job, "project">>(jobs: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const job of jobs) {
    const list = groups.get(job.project);
    if (list) list.push(job);
    else groups.set(job.project, [job]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The command as one line: an argv list joined with spaces, arguments with spaces quoted. */
export function commandText(command: string[] | string | null): string {
  if (command === null) return "";
  if (typeof command === "string") return command;
  return command.map((arg) => (arg === "" || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg)).join(" ");
}

/** Where the page keeps the token of the agent at `agentUrl`: one entry per agent URL. */
export function agentTokenKey(agentUrl: string): string {
  return `runicorn.agentToken:${agentUrl.trim().replace(/\/+$/, "")}`;
}

type TokenStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The agent's token given earlier (null: none). `store` is the tab's sessionStorage: kept for
 * this tab only, never where a program serving this origin later could read it back. */
export function loadAgentToken(store: TokenStore, agentUrl: string): string | null {
  try {
    return store.getItem(agentTokenKey(agentUrl)) || null;
  } catch {
    return null; // storage refused (a locked-down browser): ask again
  }
}

/** Keeps `token` for the agent at `agentUrl` (surrounding spaces of a paste trimmed); null forgets it. */
export function keepAgentToken(store: TokenStore, agentUrl: string, token: string | null): void {
  try {
    const value = token?.trim();
    if (value) store.setItem(agentTokenKey(agentUrl), value);
    else store.removeItem(agentTokenKey(agentUrl));
  } catch {
    /* kept in the page only */
  }
}
