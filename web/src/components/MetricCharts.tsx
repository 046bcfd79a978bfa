// One chart per metric key, grouped by prefix, with several runs overlaid on each.
import { useMemo } from "preact/hooks";
import { Chart } from "./Chart";
import { alignSeries, groupByPrefix, positiveOnly, type Series, type Stage } from "../lib/series";
import { smoothEma } from "../lib/smooth";

export interface RunSeries {
  label: string;
  series: Record<string, Series>;
  stages?: Stage[];
}

export function MetricCharts(props: {
  keys: string[];
  runs: RunSeries[];
  xLabel: string;
  smoothing: number;
  logScale: boolean;
  testidPrefix?: string;
}) {
  const groups = useMemo(() => groupByPrefix(props.keys), [props.keys.join("\u0000")]);
  return (
    <div class="chart-groups">
      {groups.map(([prefix, keys]) => (
        <section class="chart-group" data-testid={`chart-group-${prefix || "metrics"}`}>
          {prefix && <h3 class="group-title">{prefix}/</h3>}
          <div class="chart-grid">
            {keys.map((key) => (
              <KeyChart key={key} metric={key} {...props} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

function KeyChart(props: {
  metric: string;
  runs: RunSeries[];
  xLabel: string;
  smoothing: number;
  logScale: boolean;
  testidPrefix?: string;
}) {
  const present = props.runs.filter((r) => r.series[props.metric]);
  const data = useMemo(() => {
    const fix = (y: (number | null)[]) => (props.logScale ? positiveOnly(y) : y);
    const list = present.map((r) => {
      const s = r.series[props.metric];
      return { x: s.x, y: fix(props.smoothing > 0 ? smoothEma(s.y, props.smoothing) : s.y) };
    });
    const raw = present.map((r) => ({ x: r.series[props.metric].x, y: fix(r.series[props.metric].y) }));
    if (list.length === 0) return null;
    const aligned = alignSeries(props.smoothing > 0 ? [...raw, ...list] : list);
    const n = list.length;
    if (props.smoothing > 0) {
      const [x, ...ys] = aligned;
      return { main: [x, ...ys.slice(n)] as [number[], ...(number | null)[][]], faint: ys.slice(0, n) };
    }
    return { main: aligned, faint: undefined };
  }, [props.smoothing, props.logScale, present.length, ...present.map((r) => r.series[props.metric])]);
  if (!data) return null;
  return (
    <Chart
      title={props.metric}
      testid={`${props.testidPrefix ?? "chart"}-${props.metric}`}
      xLabel={props.xLabel}
      names={present.map((r) => r.label)}
      data={data.main}
      faint={data.faint}
      stages={present[0]?.stages}
      logScale={props.logScale}
    />
  );
}
