import { useApp } from "../app";
import type { MessageKey } from "../lib/i18n";

// A run's, a job's or a sweep trial's status, in the page's language; the colour is that of the
// run status it is like (a job that succeeded is green as a finished run is).
const COLOUR: Record<string, string> = {
  running: "running",
  finished: "finished",
  failed: "failed",
  interrupted: "interrupted",
  crashed: "crashed",
  pending: "unknown",
  succeeded: "finished",
  cancelled: "interrupted",
  stopped: "interrupted",
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useApp();
  const colour = COLOUR[status];
  return (
    <span class={`badge badge-${colour ?? "unknown"}`} data-testid="status-badge" data-status={status}>
      {status === "running" && <span class="pulse" />}
      {colour ? t(`status.${status}` as MessageKey) : status}
    </span>
  );
}
