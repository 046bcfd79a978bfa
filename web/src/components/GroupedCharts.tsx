// The Charts view of the Runs page: one chart per picked metric over the listed runs, grouped by a
// config key or tag; each group draws its mean with a min–max (or ± std) band
// (GET /api/metrics/grouped; lib/bands.ts lays the groups out for uPlot).
import { useMemo } from "preact/hooks";
import { api, type RunFilter } from "../api";
import { useApp } from "../app";
import { groupedData } from "../lib/bands";
import { translatedGroupLabel } from "../lib/groupLabel";
import { Chart, PALETTE } from "./Chart";
import { ChartBoard } from "./ChartBoard";
import { useApi } from "./useApi";

function GroupedChart(props: { filter: RunFilter; by: string; metric: string; x: string; band: string; height: number }) {
  const filterKey = JSON.stringify(props.filter);
  const { data: groups, error } = useApi(
    () => api.groupedMetrics(props.filter, { by: props.by, key: props.metric, x: props.x, band: props.band }).then((a) => a.groups),
    [filterKey, props.by, props.metric, props.x, props.band],
  );
  const { t } = useApp();
  const noGroup = t("table.noGroup");
  const laid = useMemo(
    () => (groups ? groupedData(groups.map((g) => translatedGroupLabel(g, props.by, noGroup))) : null),
    [groups, props.by, noGroup],
  );
  if (error) return <div class="error small" data-testid="grouped-error">{props.metric}: {error}</div>;
  if (!groups || !laid) return <div class="chart card muted small">{props.metric}…</div>;
  const colors = laid.groupOf.map((g) => PALETTE[g % PALETTE.length]);
  return (
    <div data-testid="grouped-chart" data-metric={props.metric} data-groups={groups.length}>
      <Chart
        title={props.metric}
        testid={`grouped-chart-${props.metric}`}
        xLabel={props.x}
        names={laid.names}
        data={laid.data}
        colors={colors}
        bands={laid.bands.map(([hi, lo]) => [hi - 1, lo - 1])}
        height={props.height}
      />
    </div>
  );
}

export function GroupedCharts(props: {
  filter: RunFilter;
  project: string;
  by: string;
  metrics: string[];
  x: string;
  band: string;
  onReorder: (metrics: string[]) => void;
}) {
  const { t } = useApp();
  if (props.metrics.length === 0) return <p class="empty" data-testid="charts-empty">{t("research.noCharts")}</p>;
  return (
    <ChartBoard
      project={props.project}
      keys={props.metrics}
      onReorder={props.onReorder}
      testid="grouped-board"
      render={(metric, height) => (
        <GroupedChart filter={props.filter} by={props.by} metric={metric} x={props.x} band={props.band} height={height} />
      )}
    />
  );
}
