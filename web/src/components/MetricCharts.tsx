// One chart per metric key, in sections by prefix (`layer7/m0` -> `layer7`) that fold, under a
// "Filter metrics" box; several runs overlaid on each chart. Only the charts in or near the
// viewport are drawn (nearWatch.ts): charts are laid out a block of 12 at a time (a far block is
// an empty box of the height it will have), and in a laid-out block a chart away from the viewport
// is a placeholder of the same height holding its key; so a page of 1,500 metrics opens at once and
// scrolls smoothly. `onNearKeys` tells the page which keys to fetch. The folds are kept per
// `foldScope` (a project) in the browser.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useApp } from "../app";
import { Chart } from "./Chart";
import { useNearWatch, type NearWatch } from "./nearWatch";
import { foldsStorageKey, parseFolds, serializeFolds, toggleFold } from "../lib/chartFolds";
import { FrameQueue } from "../lib/frameQueue";
import { chartBlocks, chartSections, gridColumns, gridHeightPx, shownKeys } from "../lib/chartWindow";
import { alignSeries, positiveOnly, type Series, type Stage } from "../lib/series";
import { smoothEma } from "../lib/smooth";

export interface RunSeries {
  label: string;
  series: Record<string, Series>;
  stages?: Stage[];
}

interface ChartOptions {
  runs: RunSeries[];
  xLabel: string;
  smoothing: number;
  logScale: boolean;
  testidPrefix?: string;
}

/** A placeholder's height before its chart was ever drawn: a drawn chart's usual height. */
const PLACEHOLDER_PX = 308;
/** The chart grid's CSS (.chart-grid): its narrowest column and its gap. */
const COLUMN_MIN_PX = 360;
const GAP_PX = 14;
/** Charts laid out together (a multiple of 1, 2, 3, 4 and 6 columns: blocks hold whole rows). */
const BLOCK_CHARTS = 12;
/** How far beyond the viewport a block is laid out and a chart drawn (and fetched). */
const BLOCK_MARGIN_PX = 1600;
const CHART_MARGIN_PX = 800;
/** Charts made per frame: the first ones show at once and scrolling stays smooth. */
const drawQueue = new FrameQueue(2, (tick) => requestAnimationFrame(tick));

function readFolds(scope: string): Set<string> {
  try {
    return parseFolds(localStorage.getItem(foldsStorageKey(scope)));
  } catch {
    return new Set();
  }
}

function writeFolds(scope: string, folded: Set<string>): void {
  try {
    localStorage.setItem(foldsStorageKey(scope), serializeFolds(folded));
  } catch {
    /* private mode: the folds last for this page only */
  }
}

export function MetricCharts(
  props: ChartOptions & {
    keys: string[];
    /** Where the folded sections are remembered (a project; "" for all). */
    foldScope?: string;
    /** Show the "Filter metrics" box (default: yes). */
    filterable?: boolean;
    /** The keys in or near the viewport, in page order, each time they change. */
    onNearKeys?: (keys: string[]) => void;
  },
) {
  const { t } = useApp();
  const scope = `${props.testidPrefix ?? "chart"}:${props.foldScope ?? ""}`;
  const [filter, setFilter] = useState("");
  const [folded, setFolded] = useState(() => readFolds(scope));
  useEffect(() => setFolded(readFolds(scope)), [scope]);
  const joined = props.keys.join("\u0000");
  const sections = useMemo(() => chartSections(props.keys, filter, folded), [joined, filter, folded]);
  const order = useMemo(() => shownKeys(sections), [sections]);
  const near = useNearWatch(CHART_MARGIN_PX, order, props.onNearKeys);
  const blocks = useNearWatch(BLOCK_MARGIN_PX);
  // A page opens at its top: its first charts are asked for before the observer has looked; once
  // the charts are gone (another tab), none is near.
  useEffect(() => {
    if (order.length > 0) props.onNearKeys?.(order.slice(0, 2 * BLOCK_CHARTS));
    return () => props.onNearKeys?.([]);
  }, []);
  const root = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(() => Math.min(innerWidth, 1600) - 48);
  useEffect(() => {
    const el = root.current!;
    const ro = new ResizeObserver(() => el.clientWidth > 0 && setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const columns = gridColumns(width, COLUMN_MIN_PX, GAP_PX);
  const toggle = (prefix: string) => {
    const next = toggleFold(folded, prefix);
    setFolded(next);
    writeFolds(scope, next);
  };
  const { runs, xLabel, smoothing, logScale, testidPrefix } = props;
  const options: ChartOptions = { runs, xLabel, smoothing, logScale, testidPrefix };
  const matching = sections.reduce((n, s) => n + s.keys.length, 0);

  return (
    <div class="chart-groups" ref={root}>
      {props.filterable !== false && (
        <div class="chart-filter">
          <input
            type="search"
            placeholder={t("chart.filter")}
            aria-label={t("chart.filter")}
            title={t("chart.filterHint")}
            data-testid="metric-filter"
            value={filter}
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          />
          <span class="muted small" data-testid="metric-count">
            {filter.trim() ? `${matching} / ${props.keys.length}` : props.keys.length}
          </span>
        </div>
      )}
      {sections.length === 0 && <p class="empty" data-testid="no-matching-metrics">{t("chart.noMatch")}</p>}
      {sections.map((s) => {
        const id = s.prefix || "metrics";
        return (
          <section class="chart-group" data-testid={`chart-group-${id}`} data-folded={s.folded ? "1" : "0"}>
            <h3 class="group-title">
              <button
                class="fold"
                data-testid={`chart-fold-${id}`}
                aria-expanded={!s.folded}
                title={t("chart.fold")}
                onClick={() => toggle(s.prefix)}
              >
                <span class="fold-mark">{s.folded ? "▸" : "▾"}</span>
                {s.prefix ? `${s.prefix}/` : t("chart.ungrouped")}
                <span class="muted small">{s.keys.length}</span>
              </button>
            </h3>
            {!s.folded &&
              chartBlocks(s.keys, BLOCK_CHARTS).map((keys, i) => (
                <ChartBlock
                  key={`${s.prefix}\u0000${i}`}
                  id={`${s.prefix}\u0000${keys[0]}\u0000${keys.length}`}
                  keys={keys}
                  blocks={blocks}
                  estimatePx={gridHeightPx(keys.length, columns, PLACEHOLDER_PX, GAP_PX)}
                  near={near}
                  {...options}
                />
              ))}
          </section>
        );
      })}
    </div>
  );
}

/** A block of charts: laid out while near the viewport, else an empty box as tall. */
function ChartBlock(
  props: ChartOptions & { id: string; keys: string[]; blocks: NearWatch; estimatePx: number; near: NearWatch },
) {
  const el = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(false);
  useEffect(() => props.blocks.observe(el.current!, props.id, setShown), [props.id, props.blocks]);
  const { keys, blocks, estimatePx, id, ...options } = props;
  return (
    <div
      ref={el}
      class="chart-grid"
      data-testid="chart-block"
      data-shown={shown ? "1" : "0"}
      style={shown ? undefined : { height: `${blocks.heightOf(id) ?? estimatePx}px` }}
    >
      {shown && keys.map((key) => <ChartSlot key={key} metric={key} {...options} />)}
    </div>
  );
}

/** A chart's place on the page: the chart while near the viewport, else a placeholder as tall. */
function ChartSlot(props: ChartOptions & { metric: string; near: NearWatch }) {
  const el = useRef<HTMLDivElement>(null);
  const [isNear, setNear] = useState(false);
  const [ready, setReady] = useState(false); // its turn in the draw queue came
  useEffect(() => props.near.observe(el.current!, props.metric, setNear), [props.metric, props.near]);
  const wanted = isNear && props.runs.some((r) => r.series[props.metric]);
  useEffect(() => {
    if (!wanted) return setReady(false);
    return drawQueue.enqueue(() => setReady(true));
  }, [wanted]);
  const drawn = wanted && ready;
  return (
    <div ref={el} class="chart-slot" data-testid="chart-slot" data-key={props.metric} data-drawn={drawn ? "1" : "0"}>
      {drawn ? (
        <KeyChart {...props} />
      ) : (
        <div class="chart card chart-placeholder" style={{ height: `${props.near.heightOf(props.metric) ?? PLACEHOLDER_PX}px` }}>
          <div class="chart-head">
            <span class="chart-title">{props.metric}</span>
          </div>
        </div>
      )}
    </div>
  );
}

function KeyChart(props: ChartOptions & { metric: string }) {
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
