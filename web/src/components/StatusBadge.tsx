import { useApp } from "../app";
import type { MessageKey } from "../lib/i18n";

export function StatusBadge({ status }: { status: string }) {
  const { t } = useApp();
  const known = ["running", "finished", "failed", "interrupted", "crashed"].includes(status);
  return (
    <span class={`badge badge-${known ? status : "unknown"}`} data-testid="status-badge" data-status={status}>
      {status === "running" && <span class="pulse" />}
      {known ? t(`status.${status}` as MessageKey) : status}
    </span>
  );
}
