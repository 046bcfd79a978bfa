// The Jobs page's pure logic: which buttons a job gets, grouping by project, the command shown.
import type { Job } from "../api";

export const JOB_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
export const REFRESH_MS = 3000;

/** Cancel a job that has not ended; resume one that has (from its latest checkpoint). */
export function jobActions(status: string): { cancel: boolean; resume: boolean } {
  const active = status === "pending" || status === "running";
  return { cancel: active, resume: !active && (JOB_STATUSES as readonly string[]).includes(status) };
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
