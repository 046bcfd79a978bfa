// The Charts view's charts: one per metric over the listed runs (GET /api/metrics/grouped, one key
// per chart). Grouped by a config key or tag, each group draws its mean with a min–max (or ± std)
// band and says how many runs it averages where that number changes; not grouped, every run is a
// line named by its label. Each chart takes its own x (`auto`: the metric's define_metric axis),
// and log scale, smoothing and outlier clipping apply to every chart. Only the charts near the
// viewport are fetched and drawn (nearWatch.ts), so a project of hundreds of metrics opens at once.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type GroupedAnswer, type RunFilter } from "../api";
import { useApp } from "../app";
import { countMarks, groupedData, runLines, type GroupedData } from "../lib/bands";
import { clippedRange } from "../lib/clip";
import { translatedGroupLabel } from "../lib/groupLabel";
import { positiveOnly } from "../lib/series";
import { smoothEma } from "../lib/smooth";
import { Chart, PALETTE, type ChartMark } from "./Chart";
import { ChartBoard } from "./ChartBoard";
import { useNearWatch, type NearWatch } from "./nearWatch";
import { useApi } from "./useApi";

/** How every chart of the view is drawn. */
export interface ChartLook {
  /** `auto` (each metric's define_metric axis), step, time, elapsed or a metric key. */
  x: string;
  band: string;
  logScale: boolean;
  smoothing: number;
  clip: boolean;
}

/** How far beyond the viewport a chart is fetched and drawn. */
const NEAR_MARGIN_PX = 800;
const PLACEHOLDER_PX = 308;

type Columns = [number[], ...(number | null)[][]];

/** Smoothing and the log scale's positive values applied to every y column. */
function shaped(data: Columns, look: ChartLook): Columns {
  const [x, ...ys] = data;
  return [x, ...ys.map((y) => {
    const s = look.smoothing > 0 ? smoothEma(y, look.smoothing) : y;
    return look.logScale ? positiveOnly(s) : s;
  })];
}

/** The last value drawn of a y column (a test hook: smoothing moves it). */
function lastValue(y: (number | null)[] | undefined): string {
  for (let i = (y?.length ?? 0) - 1; i >= 0; i--) if (y![i] !== null) return String(y![i]);
  return "";
}

interface ChartSource {
  filter: RunFilter;
  by: string;
  /** The chosen table columns: their config keys lead the runs' labels. */
  columns: string[];
}

function GroupedChart(props: ChartSource & { metric: string; look: ChartLook; height: number }) {
  const { t } = useApp();
  const { look } = props;
  const filterKey = JSON.stringify(props.filter);
  const { data: answer, error } = useApi<GroupedAnswer>(
    () => api.groupedMetrics(props.filter, { by: props.by, key: props.metric, x: look.x, band: look.band, columns: props.columns }),
    [filterKey, props.by, props.metric, look.x, look.band, props.columns.join(",")],
  );
  const noGroup = t("table.noGroup");
  const groups = useMemo(
    () => (answer?.groups ? (props.by ? answer.groups.map((g) => translatedGroupLabel(g, props.by, noGroup)) : answer.groups) : null),
    [answer, props.by, noGroup],
  );
  const laid: GroupedData | null = useMemo(() => (groups ? (props.by ? groupedData(groups) : runLines(groups)) : null), [groups, props.by]);
  const drawn = useMemo(() => {
    if (!laid) return null;
    const main = shaped(laid.data, look);
    // not grouped, the raw lines stay faint under the smoothed ones (as on the run page)
    const faint = !props.by && look.smoothing > 0 ? shaped(laid.data, { ...look, smoothing: 0 }).slice(1) : undefined;
    const yRange = look.clip ? clippedRange(main.slice(1), 0.05, 0.95, look.logScale) : null;
    return { main, faint, yRange };
  }, [laid, look.smoothing, look.logScale, look.clip, props.by]);
  const marks = useMemo(() => (groups && props.by ? countMarks(groups) : []), [groups, props.by]);
  if (error) return <div class="error small" data-testid="grouped-error">{props.metric}: {error}</div>;
  // as tall as its placeholder while it loads: a shorter stub would pull the charts below it
  // into the viewport, and they would all be fetched at once
  if (!groups || !laid || !drawn) {
    return (
      <div class="chart card muted small" style={{ height: `${PLACEHOLDER_PX}px` }}>
        {props.metric}…
      </div>
    );
  }
  const colors = laid.groupOf.map((g) => PALETTE[g % PALETTE.length]);
  const chartMarks: ChartMark[] = marks.map((m) => ({ series: 3 * m.group, x: m.x, text: `n=${m.runs}` }));
  return (
    <div
      data-testid="grouped-chart"
      data-metric={props.metric}
      data-groups={groups.length}
      data-x={answer!.x}
      data-y-end={lastValue(drawn.main[1])}
      data-count-marks={marks.map((m) => `${groups[m.group].label}@${m.x}:${m.runs}`).join("|")}
    >
      <Chart
        title={props.metric}
        testid={`grouped-chart-${props.metric}`}
        xLabel={answer!.x}
        names={laid.names}
        data={drawn.main}
        faint={drawn.faint}
        colors={colors}
        bands={laid.bands.map(([hi, lo]) => [hi - 1, lo - 1])}
        logScale={look.logScale}
        yRange={drawn.yRange}
        marks={chartMarks}
        height={props.height}
      />
      {marks.length > 0 && (
        <p class="muted small" data-testid="band-counts">
          {groups
            .map((g, i) => [g.label, marks.filter((m) => m.group === i)] as const)
            .filter(([, ms]) => ms.length > 0)
            .map(([label, ms]) => `${label}: ${ms.map((m) => t("research.runsFrom").replace("{n}", String(m.runs)).replace("{x}", String(m.x))).join(", ")}`)
            .join(" · ")}
        </p>
      )}
      {answer!.truncated && (
        <p class="muted small" data-testid="grouped-truncated">
          {t("research.firstRuns").replace("{shown}", String(groups.length)).replace("{count}", String(answer!.runs_total))}
        </p>
      )}
    </div>
  );
}

let slots = 0;

/** A chart's place on the board: the chart while near the viewport, else a placeholder as tall. */
function LazyChart(props: ChartSource & { near: NearWatch; metric: string; look: ChartLook; height: number }) {
  const el = useRef<HTMLDivElement>(null);
  const [isNear, setNear] = useState(false);
  const [seen, setSeen] = useState(false); // once drawn, kept: scrolling back does not fetch again
  // watched under its own name: the board's card and its full-screen view are two places of a key
  const [slot] = useState(() => ++slots);
  const watchKey = `${props.metric}\u0000${slot}`;
  useEffect(() => props.near.observe(el.current!, watchKey, setNear), [watchKey, props.near]);
  useEffect(() => void (isNear && setSeen(true)), [isNear]);
  return (
    <div ref={el} data-testid="grouped-slot" data-key={props.metric} data-drawn={seen ? "1" : "0"}>
      {seen ? (
        <GroupedChart filter={props.filter} by={props.by} columns={props.columns} metric={props.metric} look={props.look} height={props.height} />
      ) : (
        <div class="chart card chart-placeholder" style={{ height: `${props.near.heightOf(watchKey) ?? PLACEHOLDER_PX}px` }}>
          <div class="chart-head">
            <span class="chart-title">{props.metric}</span>
          </div>
        </div>
      )}
    </div>
  );
}

export function GroupedCharts(props: ChartSource & {
  project: string;
  metrics: string[];
  look: ChartLook;
  onReorder: (metrics: string[]) => void;
}) {
  const { t } = useApp();
  const near = useNearWatch(NEAR_MARGIN_PX);
  if (props.metrics.length === 0) return <p class="empty" data-testid="charts-empty">{t("research.noCharts")}</p>;
  return (
    <ChartBoard
      project={props.project}
      keys={props.metrics}
      onReorder={props.onReorder}
      testid="grouped-board"
      render={(metric, height) => (
        <LazyChart near={near} filter={props.filter} by={props.by} columns={props.columns} metric={metric} look={props.look} height={height} />
      )}
    />
  );
}
