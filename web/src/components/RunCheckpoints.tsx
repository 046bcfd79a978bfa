// The checkpoints a run's script recorded with rn.log_checkpoint: path, step and time, newest first.
import { api, type Checkpoint } from "../api";
import { useApp } from "../app";
import { formatTime } from "../lib/format";
import { usePolled } from "./usePolled";

export function RunCheckpoints({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const checkpoints = usePolled<Checkpoint[]>(() => api.checkpoints(runKey), [], [runKey]);
  if (checkpoints.length === 0) return null;
  return (
    <div class="card" data-testid="run-checkpoints">
      <h3>
        {t("run.checkpoints")} ({checkpoints.length})
      </h3>
      <table class="runs">
        <thead>
          <tr>
            <th>{t("run.checkpointPath")}</th>
            <th>{t("run.checkpointStep")}</th>
            <th>{t("run.checkpointTime")}</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}
