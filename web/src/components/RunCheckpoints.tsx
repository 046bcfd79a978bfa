// The checkpoints a run's script recorded with rn.log_checkpoint: path, step and time, newest first.
import { useEffect, useState } from "preact/hooks";
import { api, type Checkpoint } from "../api";
import { useApp } from "../app";
import { formatTime } from "../lib/format";

export function RunCheckpoints({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const [checkpoints, setCheckpoints] = useState<Checkpoint[]>([]);
  useEffect(() => {
    let alive = true;
    const load = () => api.checkpoints(runKey).then((c) => alive && setCheckpoints(c), () => undefined);
    load();
    const id = setInterval(load, 5000);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, [runKey]);
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
