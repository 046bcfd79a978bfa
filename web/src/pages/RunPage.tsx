// Run: charts of every metric (live), log tail, system history, media, summary / config / meta.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type RunDetail, type RunRow } from "../api";
import { Link, useApp } from "../app";
import { LogTail } from "../components/LogTail";
import { MediaGallery } from "../components/MediaGallery";
import { ChartControls } from "../components/ChartControls";
import { MetricCharts, type RunSeries } from "../components/MetricCharts";
import { RunOverview } from "../components/RunOverview";
import { StatusBadge } from "../components/StatusBadge";
import { formatDuration, formatTime } from "../lib/format";
import { appendSeries, appendStages, type Series, type Stage } from "../lib/series";

const POLL_MS = 1500;
type Tab = "charts" | "logs" | "system" | "media" | "overview";

/** Metric history of one run kept up to date by fetching only what was appended (`since=`). */
function useLiveSeries(
  runKey: string,
  x: string,
  fetcher: typeof api.metrics,
  live: boolean,
): { keys: string[]; series: Record<string, Series>; stages: Stage[]; error: string | null } {
  const [state, setState] = useState({ keys: [] as string[], series: {} as Record<string, Series>, stages: [] as Stage[] });
  const [error, setError] = useState<string | null>(null);
  const offset = useRef<number | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    offset.current = undefined;
    setState({ keys: [], series: {}, stages: [] });
    const poll = async () => {
      try {
        const since = offset.current;
        const ans = await fetcher(runKey, { x, since });
        if (!alive) return;
        offset.current = ans.offset;
        setState((old) => {
          if (since === undefined || ans.restarted) return { keys: ans.keys, series: ans.series, stages: ans.stages };
          const grew = Object.values(ans.series).some((s) => s.x.length > 0);
          if (!grew && ans.keys.length === old.keys.length) return old;
          const series: Record<string, Series> = { ...old.series };
          for (const [k, s] of Object.entries(ans.series)) series[k] = appendSeries(old.series[k], s);
          return { keys: ans.keys, series, stages: appendStages(old.stages, ans.stages) };
        });
        setError(null);
      } catch (e) {
        if (alive) setError(String((e as Error).message ?? e));
      }
      if (alive && live) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [runKey, x, live]);
  return { ...state, error };
}

export function RunPage({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("charts");
  const [x, setX] = useState<"step" | "time">("step");
  const [smoothing, setSmoothing] = useState(0);
  const [logScale, setLogScale] = useState(false);
  const [siblings, setSiblings] = useState<RunRow[]>([]);
  const [overlayKeys, setOverlayKeys] = useState<string[]>([]);
  const [overlays, setOverlays] = useState<RunSeries[]>([]);

  useEffect(() => {
    let alive = true;
    const load = () =>
      api.run(runKey).then(
        (r) => alive && (setRun(r), setError(null)),
        (e) => alive && setError(String(e.message ?? e)),
      );
    load();
    const id = setInterval(load, 5000);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, [runKey]);

  useEffect(() => {
    if (!run) return;
    api.runs({ project: run.project, name: run.name, limit: 100 }).then(
      (l) => setSiblings(l.runs.filter((r) => r.key !== run.key)),
      () => undefined,
    );
  }, [run?.project, run?.name]);

  const metrics = useLiveSeries(runKey, x, api.metrics, true);
  const system = useLiveSeries(runKey, "time", api.system, tab === "system");

  useEffect(() => {
    let alive = true;
    Promise.all(
      overlayKeys.map(async (k) => {
        const ans = await api.metrics(k, { x });
        const label = siblings.find((s) => s.key === k)?.id ?? k;
        return { label, series: ans.series, stages: ans.stages } as RunSeries;
      }),
    ).then((list) => alive && setOverlays(list), () => undefined);
    return () => {
      alive = false;
    };
  }, [overlayKeys.join(","), x]);

  const runs: RunSeries[] = useMemo(
    () => [{ label: run?.id ?? runKey, series: metrics.series, stages: metrics.stages }, ...overlays],
    [metrics.series, metrics.stages, overlays, run?.id],
  );

  if (error && !run) return <div class="error" data-testid="error">{error}</div>;
  if (!run) return <p class="muted">{t("loading")}</p>;

  const tabs: [Tab, string][] = [
    ["charts", t("run.charts")],
    ["logs", t("run.logs")],
    ["system", t("run.system")],
    ["media", t("run.media")],
    ["overview", t("run.summary") + " · " + t("run.config") + " · " + t("run.meta")],
  ];

  return (
    <section>
      <div class="page-head">
        <div>
          <div class="crumbs muted">
            <Link href="/">{t("nav.runs")}</Link> / {run.project} / {run.name}
          </div>
          <h1 data-testid="run-title">
            {run.name} <span class="mono muted small">{run.id}</span>
          </h1>
        </div>
        <div class="spacer" />
        <StatusBadge status={run.status} />
        <span class="muted small">
          {formatTime(run.created_at)} · {formatDuration(run.duration_s)} · {run.hostname ?? ""}
        </span>
      </div>
      {run.warnings.length > 0 && (
        <div class="warn" data-testid="run-warnings">
          {run.warnings.join(" · ")}
        </div>
      )}
      <div class="tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button role="tab" class={tab === id ? "active" : ""} data-testid={`tab-${id}`} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>

      {tab === "charts" && (
        <>
          <div class="toolbar card">
            <ChartControls x={x} setX={setX} smoothing={smoothing} setSmoothing={setSmoothing} />
            <label class="check">
              <input type="checkbox" data-testid="log-scale" checked={logScale} onChange={() => setLogScale(!logScale)} />
              {t("run.logScale")}
            </label>
            {siblings.length > 0 && (
              <details class="columns-picker">
                <summary data-testid="overlay-picker">
                  {t("run.overlay")} {overlayKeys.length ? `(${overlayKeys.length})` : ""}
                </summary>
                <div class="menu">
                  {siblings.map((s) => (
                    <label class="check">
                      <input
                        type="checkbox"
                        data-testid="overlay-run"
                        checked={overlayKeys.includes(s.key)}
                        onChange={() =>
                          setOverlayKeys((o) => (o.includes(s.key) ? o.filter((k) => k !== s.key) : [...o, s.key]))
                        }
                      />
                      <span class="mono small">{s.id}</span> <StatusBadge status={s.status} />
                    </label>
                  ))}
                </div>
              </details>
            )}
          </div>
          {metrics.error && <div class="error">{metrics.error}</div>}
          {metrics.keys.length === 0 ? (
            <p class="empty" data-testid="no-metrics">{t("run.noMetrics")}</p>
          ) : (
            <MetricCharts keys={metrics.keys} runs={runs} xLabel={x} smoothing={smoothing} logScale={logScale} />
          )}
        </>
      )}
      {tab === "logs" && <LogTail runKey={runKey} />}
      {tab === "system" &&
        (system.keys.length === 0 ? (
          <p class="empty">{t("run.noSystem")}</p>
        ) : (
          <MetricCharts
            keys={system.keys}
            runs={[{ label: run.id, series: system.series }]}
            xLabel="time"
            smoothing={0}
            logScale={false}
            testidPrefix="system-chart"
          />
        ))}
      {tab === "media" && <MediaGallery runKey={runKey} />}
      {tab === "overview" && <RunOverview run={run} />}
    </section>
  );
}
