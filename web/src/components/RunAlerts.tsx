// The alerts a run's script raised with rn.alert: a short list above the tabs, coloured by level,
// the latest five first; the list folds (a click on its head).
import { useState } from "preact/hooks";
import { api } from "../api";
import { useApp } from "../app";
import { formatTime } from "../lib/format";
import { useApi } from "./useApi";

const POLL_MS = 5000;
const SHOWN = 5; // the latest ones; the rest behind "show all"

/** `live`: fetched again every 5 s while the run may still raise one. */
export function RunAlerts({ runKey, live = true }: { runKey: string; live?: boolean }) {
  const { t } = useApp();
  const alerts = useApi(() => api.alerts(runKey), [runKey, live], { everyMs: live ? POLL_MS : undefined }).data ?? [];
  const [all, setAll] = useState(false);

  if (alerts.length === 0) return null;
  const shown = all ? alerts : alerts.slice(-SHOWN);
  return (
    <details class="alerts" open data-testid="run-alerts">
      <summary class="alerts-head muted small" data-testid="alerts-fold">
        {t("run.alerts")} ({alerts.length})
      </summary>
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
      {alerts.length > SHOWN && (
        <button class="link small" data-testid="alerts-all" onClick={() => setAll(!all)}>
          {all ? "−" : "+"} {alerts.length - SHOWN}
        </button>
      )}
    </details>
  );
}
