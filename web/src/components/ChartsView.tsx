// The Charts view of the Runs page: its toolbar (group by, x axis, band, log scale, smoothing,
// outlier clipping, the metrics charted; all of them kept in the address) over GroupedCharts.
// With nothing picked, every metric the listed runs logged a history of is charted, the most
// common first (W&B's default); without a "group by", every run is a line.
import { api, type RunFilter } from "../api";
import { useApp } from "../app";
import { shortName, type ColumnInfo } from "../lib/columns";
import { rememberedColumns } from "../lib/tablePrefs";
import type { ViewState } from "../lib/viewState";
import { xChoices } from "../lib/xAxis";
import { rememberedCharts } from "./ChartBoard";
import { SmoothingSlider } from "./ChartControls";
import { GroupedCharts, type ChartLook } from "./GroupedCharts";
import { useApi } from "./useApi";

export function Select(props: { testid: string; label: string; value: string; options: string[]; names?: Record<string, string>; empty?: string; onChange: (v: string) => void }) {
  return (
    <label class="slider">
      {props.label}
      <select data-testid={props.testid} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {props.options.map((o) => (
          <option value={o}>{props.names?.[o] ?? o}</option>
        ))}
      </select>
    </label>
  );
}

export function ChartsView(props: {
  view: ViewState;
  update: (patch: Partial<ViewState>) => void;
  filter: RunFilter;
  columnInfo: ColumnInfo[] | null;
}) {
  const { t } = useApp();
  const { view, update } = props;
  // the logged metric keys, the most common first (the columns' answer is cached by the viewer)
  const logged = useApi(() => api.runColumns(props.filter).then((a) => a.metric_keys ?? []), [JSON.stringify(props.filter)]);
  const summaryMetrics = (props.columnInfo ?? [])
    .filter((c) => c.name.startsWith("summary.") && c.type === "number")
    .sort((a, b) => b.count - a.count)
    .map((c) => shortName(c.name));
  const found = logged.data ? logged.data.map((k) => k.key) : logged.error ? summaryMetrics : null;
  const metrics = found ?? [];
  const configKeys = (props.columnInfo ?? []).map((c) => c.name).filter((c) => c.startsWith("config."));

  const remembered = rememberedCharts(view.project);
  const charts = view.charts ?? (remembered.length ? remembered : metrics);
  const toggle = (k: string) => update({ charts: charts.includes(k) ? charts.filter((c) => c !== k) : [...charts, k] });
  const look: ChartLook = { x: view.x, band: view.band, logScale: view.chartLog, smoothing: view.smoothing, clip: view.clip };
  const waiting = view.charts === null && !remembered.length && found === null;
  return (
    <div data-testid="research-charts">
      <div class="toolbar card">
        <Select testid="group-by" label={t("research.groupBy")} value={view.group} empty="–" options={["tags", ...configKeys]} onChange={(group) => update({ group })} />
        <Select
          testid="grouped-x"
          label={t("run.xAxis")}
          value={view.x}
          options={["auto", ...xChoices(metrics)]}
          names={{ auto: t("research.xAuto"), step: t("research.xStep"), time: t("research.xTime"), elapsed: t("research.xElapsed") }}
          onChange={(x) => update({ x })}
        />
        {view.group && (
          <Select testid="band-select" label={t("research.band")} value={view.band} options={["minmax", "std"]} names={{ minmax: t("research.bandMinMax"), std: t("research.bandStd") }} onChange={(band) => update({ band: band as ViewState["band"] })} />
        )}
        <label class="check" title={t("run.logScale")}>
          <input type="checkbox" data-testid="charts-log" checked={view.chartLog} onChange={(e) => update({ chartLog: (e.target as HTMLInputElement).checked })} />
          {t("research.log")}
        </label>
        <SmoothingSlider testid="charts-smoothing" value={view.smoothing} onChange={(smoothing) => update({ smoothing })} />
        <label class="check" title={t("research.clipHint")}>
          <input type="checkbox" data-testid="charts-clip" checked={view.clip} onChange={(e) => update({ clip: (e.target as HTMLInputElement).checked })} />
          {t("research.clip")}
        </label>
        <details class="columns-picker">
          <summary data-testid="charts-picker">
            {t("research.pickCharts")} ({charts.length})
          </summary>
          <div class="menu">
            {[...new Set([...charts, ...metrics])].map((k) => (
              <label class="check" data-testid="chart-metric" data-key={k}>
                <input type="checkbox" checked={charts.includes(k)} onChange={() => toggle(k)} />
                <span class="mono small">{k}</span>
              </label>
            ))}
          </div>
        </details>
      </div>
      {!view.group && <p class="muted small" data-testid="group-hint">{t("research.groupHint")}</p>}
      {waiting ? (
        <p class="muted">{t("loading")}</p>
      ) : (
        <GroupedCharts
          filter={props.filter}
          project={view.project}
          by={view.group}
          columns={view.columns ?? rememberedColumns(view.project)}
          metrics={charts}
          look={look}
          onReorder={(order) => update({ charts: order })}
        />
      )}
    </div>
  );
}
