// The checkpoints a run's script recorded with rn.log_checkpoint: path, step and time, newest first.
import { api } from "../api";
import { useApp } from "../app";
import { formatTime } from "../lib/format";
import { DataTable } from "./ListCard";
import { useApi } from "./useApi";

const POLL_MS = 5000;

export function RunCheckpoints({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const checkpoints = useApi(() => api.checkpoints(runKey), [runKey], { everyMs: POLL_MS }).data ?? [];
  if (checkpoints.length === 0) return null;
  return (
    <div class="card" data-testid="run-checkpoints">
      <h3>
        {t("run.checkpoints")} ({checkpoints.length})
      </h3>
      <DataTable headers={["run.checkpointPath", "run.checkpointStep", "run.checkpointTime"]}>
          {checkpoints
            .slice()
            .reverse()
            .map((c) => (
              <tr data-testid="run-checkpoint">
                <td class="mono small" data-testid="run-checkpoint-path">
                  {c.path}
                </td>
                <td data-testid="run-checkpoint-step">{c.step ?? "–"}</td>
                <td class="muted small">{formatTime(c.ts)}</td>
              </tr>
            ))}
      </DataTable>
    </div>
  );
}
