// The alerts a run's script raised with rn.alert: a short list above the tabs, coloured by level.
import { useState } from "preact/hooks";
import { api } from "../api";
import { useApp } from "../app";
import { formatTime } from "../lib/format";
import { useApi } from "./useApi";

const POLL_MS = 5000;
const SHOWN = 5; // the latest ones; the rest behind "show all"

export function RunAlerts({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const alerts = useApi(() => api.alerts(runKey), [runKey], { everyMs: POLL_MS }).data ?? [];
  const [all, setAll] = useState(false);

  if (alerts.length === 0) return null;
  const shown = all ? alerts : alerts.slice(-SHOWN);
  return (
    <div class="alerts" data-testid="run-alerts">
      <div class="alerts-head muted small">
        {t("run.alerts")} ({alerts.length})
        {alerts.length > SHOWN && (
          <button class="link" data-testid="alerts-all" onClick={() => setAll(!all)}>
            {all ? "−" : "+"} {alerts.length - SHOWN}
          </button>
        )}
      </div>
      {shown
        .slice()
        .reverse()
        .map((a) => (
          <div class={`alert alert-${a.level}`} data-testid="run-alert" data-level={a.level}>
            <strong data-testid="run-alert-title">{a.title}</strong>
            {a.text && <span class="alert-text"> · {a.text}</span>}
            <span class="muted small alert-when">
              {a.step !== null ? `${t("run.step")} ${a.step} · ` : ""}
              {a.ts !== null ? formatTime(a.ts) : ""}
            </span>
          </div>
        ))}
    </div>
  );
}
