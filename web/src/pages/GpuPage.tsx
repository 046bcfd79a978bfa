// GPU: live utilization, memory, temperature and power of the viewer machine's GPUs.
import { api } from "../api";
import { useApp } from "../app";
import { PageHead } from "../components/ListCard";
import { useApi } from "../components/useApi";
import { formatBytes } from "../lib/format";

const POLL_MS = 2000;

function Meter({ label, value, max, text, testid }: { label: string; value: number | null; max: number; text: string; testid: string }) {
  const pct = value === null ? 0 : Math.max(0, Math.min(100, (value / max) * 100));
  const level = pct > 85 ? "hot" : pct > 60 ? "warm" : "ok";
  return (
    <div class="meter" data-testid={testid}>
      <div class="meter-label">
        <span>{label}</span>
        <span class="mono">{text}</span>
      </div>
      <div class="meter-bar">
        <div class={`meter-fill ${level}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function GpuPage() {
  const { t } = useApp();
  const { data: state, error } = useApi(() => api.gpu(), [], { everyMs: POLL_MS });
  return (
    <section>
      <PageHead title={t("gpu.title")} />
      {error && <div class="error">{error}</div>}
      {state && !state.available && (
        <div class="card empty" data-testid="gpu-unavailable">
          <strong>{t("gpu.unavailable")}</strong>
          <div class="muted">{state.reason}</div>
        </div>
      )}
      <div class="gpu-grid">
        {state?.gpus.map((g) => (
          <div class="card gpu" data-testid="gpu-card">
            <h3>
              GPU {g.index} <span class="muted small">{g.name}</span>
            </h3>
            <Meter testid="gpu-util" label={t("gpu.util")} value={g.util_percent} max={100} text={g.util_percent === null ? "–" : `${g.util_percent.toFixed(0)} %`} />
            <Meter
              testid="gpu-mem"
              label={t("gpu.memory")}
              value={g.mem_used_bytes}
              max={g.mem_total_bytes || 1}
              text={`${formatBytes(g.mem_used_bytes)} / ${formatBytes(g.mem_total_bytes)}`}
            />
            <Meter testid="gpu-temp" label={t("gpu.temp")} value={g.temp_c} max={100} text={g.temp_c === null ? "–" : `${g.temp_c.toFixed(0)} °C`} />
            <Meter testid="gpu-power" label={t("gpu.power")} value={g.power_w} max={Math.max(g.power_w ?? 0, 400)} text={g.power_w === null ? "–" : `${g.power_w.toFixed(0)} W`} />
          </div>
        ))}
      </div>
    </section>
  );
}
