// Run: charts of every metric (live, other runs overlaid), the text values below them, log tail, system history, media, summary / config / meta.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type RunRow } from "../api";
import { Link, useApp } from "../app";
import { Waiting } from "../components/ListCard";
import { LogTail } from "../components/LogTail";
import { Distributions } from "../components/Distributions";
import { MediaGallery } from "../components/MediaGallery";
import { Tables } from "../components/Tables";
import { TextValues } from "../components/TextValues";
import { ChartControls } from "../components/ChartControls";
import { useLiveHistory } from "../components/liveHistory";
import { useWindowedHistory } from "../components/windowedHistory";
import { MetricCharts, type RunSeries } from "../components/MetricCharts";
import { OverlayPicker } from "../components/OverlayPicker";
import { RunAlerts } from "../components/RunAlerts";
import { RunCheckpoints } from "../components/RunCheckpoints";
import { RunArtifacts } from "../components/RunArtifacts";
import { RunEnd } from "../components/RunEnd";
import { RunOverview } from "../components/RunOverview";
import { StatusBadge } from "../components/StatusBadge";
import { useApi } from "../components/useApi";
import { formatDuration, formatTime, runLabel } from "../lib/format";
import { runHref } from "../lib/route";
import { isLive } from "../lib/runEnd";
import { labelColumns } from "../lib/tablePrefs";
import { EMPTY_HISTORY } from "../lib/series";
import { chartedKeys, defaultX, xChoices } from "../lib/xAxis";

type Tab = "charts" | "logs" | "system" | "media" | "distributions" | "tables" | "overview";

/** The run page; `overlay` (from `?overlay=`) lists other runs drawn on its charts. */
export function RunPage({ runKey, overlay }: { runKey: string; overlay: string[] }) {
  const { t, navigate } = useApp();
  // fetched again every 5 s until the run has ended; then nothing on the page fetches again
  const { data: run, error } = useApi(() => api.run(runKey), [runKey], { everyMs: 5000, until: (r) => !isLive(r.status) });
  const live = isLive(run?.status);
  const [tab, setTab] = useState<Tab>("charts");
  const [pickedX, setX] = useState<string | null>(null); // null: the run's default (its step_metric)
  const [smoothing, setSmoothing] = useState(0);
  const [logScale, setLogScale] = useState(false);
  const [known, setKnown] = useState<Record<string, RunRow>>({});
  const overlayKeys = overlay.filter((k) => k !== runKey);

  // Names for the legend of overlaid runs, fetched once per run.
  useEffect(() => {
    let alive = true;
    for (const k of overlayKeys.filter((k) => !known[k])) {
      api.run(k).then((r) => alive && setKnown((old) => ({ ...old, [k]: r })), () => undefined);
    }
    return () => {
      alive = false;
    };
  }, [overlayKeys.join(",")]);

  const x = pickedX ?? defaultX(run?.metric_keys ?? [], run?.meta?.metrics);
  // Only the series of the charts near the viewport are fetched (in batches), the shown run's first.
  const charted = useWindowedHistory([runKey, ...overlayKeys], x, api.metrics, live);
  const system = useLiveHistory([runKey], "time", api.system, tab === "system" && live);
  const metrics = charted.runs[runKey] ?? EMPTY_HISTORY;
  // every metric key: from the last metrics answer, or the run's own list before the first one
  const metricKeys = run && run.metric_keys.length > metrics.keys.length ? run.metric_keys : metrics.keys;
  const choices = useMemo(() => xChoices(metricKeys), [metricKeys]);
  const charts = useMemo(() => chartedKeys(metricKeys, x), [metricKeys, x]);
  const systemHistory = system.runs[runKey] ?? EMPTY_HISTORY;
  const setOverlay = (keys: string[]) => navigate(runHref(runKey, keys), { replace: true });

  // with runs overlaid, each is named by its label over them (the config keys that differ)
  const labels = useApi(
    overlayKeys.length && run ? () => api.compare([runKey, ...overlayKeys], [], "step", labelColumns(run.project)).then((a) => a.labels ?? {}) : null,
    [runKey, overlayKeys.join(","), run?.project],
  ).data;
  const runs: RunSeries[] = useMemo(() => {
    // alone, a run is named by its name (W&B's display name when it has one), never its id alone
    const own = run ? (typeof run.meta?.display_name === "string" && run.meta.display_name) || run.name : runKey;
    const list: RunSeries[] = [{ label: labels?.[runKey] ?? own, series: metrics.series, stages: metrics.stages }];
    for (const k of overlayKeys) {
      const h = charted.runs[k];
      const label = labels?.[k] ?? known[k]?.label;
      if (h) list.push({ label: known[k] ? runLabel({ ...known[k], label }, run) : (label ?? k), series: h.series });
    }
    return list;
  }, [metrics, charted.runs, known, labels, run?.id, run?.project, run?.name]);
  const failedOverlays = overlayKeys.filter((k) => charted.errors[k] && !charted.runs[k]);

  if (!run) return <Waiting error={error} testid="error" />;

  const tabs: [Tab, string][] = [
    ["charts", t("run.charts")],
    ["logs", t("run.logs")],
    ["system", t("run.system")],
    ["media", t("run.media")],
    ["distributions", t("run.distributions")],
    ["tables", t("run.tables")],
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
      <RunEnd run={run} />
      <RunAlerts runKey={runKey} live={live} />
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
            <ChartControls
              x={x}
              setX={setX}
              smoothing={smoothing}
              setSmoothing={setSmoothing}
              choices={choices}
            />
            <label class="check">
              <input type="checkbox" data-testid="log-scale" checked={logScale} onChange={() => setLogScale(!logScale)} />
              {t("run.logScale")}
            </label>
            <OverlayPicker run={run} picked={overlayKeys} known={known} onChange={setOverlay} />
            <a class="button" href={api.metricsCsvUrl(runKey)} download data-testid="metrics-csv">
              {t("run.allCsv")}
            </a>
          </div>
          {charted.errors[runKey] && <div class="error">{charted.errors[runKey]}</div>}
          {failedOverlays.length > 0 && (
            <div class="warn" data-testid="overlay-missing">
              {t("run.overlayMissing")}: {failedOverlays.map((k) => `${k} (${charted.errors[k]})`).join(", ")}
            </div>
          )}
          {metricKeys.length === 0 ? (
            <p class="empty" data-testid="no-metrics">{t("run.noMetrics")}</p>
          ) : (
            <MetricCharts
              keys={charts}
              runs={runs}
              xLabel={x}
              smoothing={smoothing}
              logScale={logScale}
              foldScope={run.project}
              onNearKeys={charted.want}
            />
          )}
          <TextValues runKey={runKey} live={live} />
        </>
      )}
      {tab === "logs" && <LogTail runKey={runKey} live={live} />}
      {tab === "system" &&
        (systemHistory.keys.length === 0 ? (
          <p class="empty">{t("run.noSystem")}</p>
        ) : (
          <MetricCharts
            keys={systemHistory.keys}
            runs={[{ label: run.id, series: systemHistory.series }]}
            xLabel="time"
            smoothing={0}
            logScale={false}
            testidPrefix="system-chart"
            foldScope={run.project}
            filterable={false}
          />
        ))}
      {tab === "media" && <MediaGallery runKey={runKey} live={live} />}
      {tab === "distributions" && <Distributions runKey={runKey} />}
      {tab === "tables" && <Tables runKey={runKey} />}
      {tab === "overview" && (
        <>
          <RunOverview run={run} />
          <RunCheckpoints runKey={runKey} />
          <RunArtifacts runKey={runKey} />
        </>
      )}
    </section>
  );
}
