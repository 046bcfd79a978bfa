// One uPlot chart: zoom (drag), pan (shift+drag or wheel), double-click reset, hover values in the
// legend, click a legend entry to hide a series, stage shading, log scale, PNG and CSV download.
// A value with no line through it (logged once) is drawn as a dot; the axes make room for their
// widest tick label.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { useApp } from "../app";
import { GAP_PX, TICK_PX, xEdgePad, xTickSpace, yAxisSize } from "../lib/axis";
import { formatIsoTime, formatValue, isoTimeTicks } from "../lib/format";
import { lonePoints } from "../lib/points";
import { chartCsv, stagePhases, type Stage } from "../lib/series";

export const PALETTE = ["#6366f1", "#f97316", "#10b981", "#ef4444", "#0ea5e9", "#a855f7", "#eab308", "#14b8a6", "#ec4899", "#64748b"];

export interface ChartProps {
  title: string;
  testid: string;
  xLabel: string; // "step", "time", "elapsed" or the metric drawn as x
  names: string[];
  data: [number[], ...(number | null)[][]];
  stages?: Stage[];
  logScale?: boolean;
  height?: number;
  /** Extra faint series drawn under the main ones (raw values when smoothing). */
  faint?: (number | null)[][];
  /** A colour per name (default: the palette in order). */
  colors?: string[];
  /** Filled bands between two of the named series ([upper, lower], 0-based in `names`); band
   *  edges are drawn thin and left out of the legend (grouped charts: mean with min–max). */
  bands?: [number, number][];
  /** A fixed y range (outliers clipped); null or absent: fit the data. */
  yRange?: [number, number] | null;
  /** Small labels drawn on a series' line at an x (a band's run count where it changes). */
  marks?: ChartMark[];
}

export interface ChartMark {
  /** The series (0-based in `names`). */
  series: number;
  x: number;
  text: string;
}

const AXIS_FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const Y_AXIS_MIN_PX = 50;
const X_AXIS_PX = 50; // uPlot's default height of the x axis
const X_TICK_SPACE_MIN_PX = 50; // uPlot's default least distance between x ticks
const RIGHT_PAD_MIN_PX = 16;
const POINT_PX = 7;

let measureCtx: CanvasRenderingContext2D | null = null;
let stepFormat: Intl.NumberFormat | null = null; // made once: a page may make hundreds of charts

/** Width in CSS pixels of a tick label as the axes draw it (widest line of a two-line time label). */
function labelWidthPx(label: string): number {
  measureCtx ??= document.createElement("canvas").getContext("2d");
  if (!measureCtx) return 0;
  measureCtx.font = AXIS_FONT;
  return Math.max(...label.split("\n").map((line) => measureCtx!.measureText(line).width));
}

const STAGE_FILL = ["rgba(99,102,241,0.07)", "rgba(249,115,22,0.07)", "rgba(16,185,129,0.07)", "rgba(236,72,153,0.07)"];

function stagePlugin(getStages: () => Stage[]): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const stages = stagePhases(getStages());
        if (stages.length === 0) return;
        const { ctx, bbox } = u;
        const names = [...new Set(stages.map((s) => s.stage))];
        ctx.save();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        stages.forEach((s, i) => {
          // A phase runs up to where the next one starts: no unshaded gap between two steps.
          const end = i + 1 < stages.length ? stages[i + 1].x_start : s.x_end;
          const x0 = Math.max(u.valToPos(s.x_start, "x", true), bbox.left);
          const x1 = Math.min(u.valToPos(end, "x", true), bbox.left + bbox.width);
          if (x1 < bbox.left || x0 > bbox.left + bbox.width) return;
          ctx.fillStyle = STAGE_FILL[names.indexOf(s.stage) % STAGE_FILL.length];
          ctx.fillRect(x0, bbox.top, Math.max(x1 - x0, 1), bbox.height);
          ctx.strokeStyle = "rgba(128,128,128,0.55)";
          ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x0, bbox.top);
          ctx.lineTo(x0, bbox.top + bbox.height);
          ctx.stroke();
          ctx.fillStyle = "rgba(128,128,128,0.9)";
          if (x1 - x0 > 40 * devicePixelRatio) ctx.fillText(s.stage, x0 + 4 * devicePixelRatio, bbox.top + 12 * devicePixelRatio);
        });
        ctx.restore();
      },
    },
  };
}

function marksPlugin(getMarks: () => ChartMark[], faintCount: number, colors: string[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const marks = getMarks();
        if (marks.length === 0) return;
        const { ctx } = u;
        const xs = u.data[0] as number[];
        ctx.save();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        for (const m of marks) {
          const si = 1 + faintCount + m.series;
          if (!u.series[si]?.show) continue;
          const i = xs.indexOf(m.x);
          const y = i < 0 ? null : (u.data[si][i] as number | null);
          if (y === null || y === undefined) continue;
          const px = u.valToPos(m.x, "x", true);
          const py = u.valToPos(y, "y", true);
          ctx.fillStyle = colors[m.series] ?? "#888";
          ctx.beginPath();
          ctx.arc(px, py, 3 * devicePixelRatio, 0, 2 * Math.PI);
          ctx.fill();
          ctx.fillText(m.text, px + 4 * devicePixelRatio, py - 5 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

function panPlugin(): uPlot.Plugin {
  return {
    hooks: {
      ready: (u: uPlot) => {
        const over = u.over;
        over.addEventListener("wheel", (e) => {
          e.preventDefault();
          const { left } = over.getBoundingClientRect();
          const min = u.scales.x.min!;
          const max = u.scales.x.max!;
          const at = u.posToVal(e.clientX - left, "x");
          const f = e.deltaY < 0 ? 0.8 : 1.25;
          u.setScale("x", { min: at - (at - min) * f, max: at + (max - at) * f });
        }, { passive: false });
        over.addEventListener("mousedown", (e) => {
          if (!e.shiftKey) return;
          e.stopPropagation();
          const x0 = e.clientX;
          const min0 = u.scales.x.min!;
          const max0 = u.scales.x.max!;
          const perPx = (max0 - min0) / over.clientWidth;
          const move = (ev: MouseEvent) => {
            const dx = (ev.clientX - x0) * perPx;
            u.setScale("x", { min: min0 - dx, max: max0 - dx });
          };
          const up = () => {
            removeEventListener("mousemove", move);
            removeEventListener("mouseup", up);
          };
          addEventListener("mousemove", move);
          addEventListener("mouseup", up);
        }, true);
      },
    },
  };
}

/**
 * Test hook: the chart's element carries uPlot's own view state, read back from the instance after
 * every change: `data-x-min` / `data-x-max` / `data-y-min` / `data-y-max` (the scales' ranges),
 * `data-y-distr` (`linear` or `log`), `data-shown` (main series not hidden from the legend) and
 * `data-y-labels` (the y tick labels drawn, joined by `|`).
 */
function exposeState(el: HTMLElement | null, u: uPlot, faintCount: number): void {
  if (!el) return;
  const { x, y } = u.scales;
  const d = el.dataset;
  d.xMin = String(x.min);
  d.xMax = String(x.max);
  d.yMin = String(y.min);
  d.yMax = String(y.max);
  d.yDistr = y.distr === 3 ? "log" : "linear";
  d.shown = String(u.series.slice(1 + faintCount).filter((s) => s.show).length);
}

/** Hiding a series from the legend hides its faint raw line too. */
function pairFaint(u: uPlot, idx: number | null, faintCount: number): void {
  if (idx === null || idx <= faintCount) return;
  const raw = idx - faintCount;
  if (u.series[raw].show !== u.series[idx].show) u.setSeries(raw, { show: u.series[idx].show });
}

function download(name: string, href: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function fileName(title: string): string {
  return title.replace(/[^A-Za-z0-9_.-]+/g, "_") || "chart";
}

export function Chart(props: ChartProps) {
  const { t } = useApp();
  const box = useRef<HTMLDivElement>(null);
  const outer = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const stages = useRef<Stage[]>(props.stages ?? []);
  stages.current = props.stages ?? [];
  const marks = useRef<ChartMark[]>(props.marks ?? []);
  marks.current = props.marks ?? [];
  const faint = props.faint ?? [];
  const colors = props.colors ?? props.names.map((_, i) => PALETTE[i % PALETTE.length]);
  const bands = props.bands ?? [];
  const edges = new Set(bands.flat());
  const yRange = props.yRange ?? null;
  const shape = `${props.names.join("\u0000")}|${props.xLabel}|${props.logScale}|${faint.length}|${props.height}|${colors.join()}|${bands.join(";")}|${yRange}`;

  useEffect(() => {
    const el = box.current!;
    const dark = document.documentElement.dataset.theme === "dark";
    const axisColor = dark ? "#9ca3af" : "#6b7280";
    const gridColor = dark ? "rgba(255,255,255,0.07)" : "rgba(0,0,0,0.07)";
    const axis = {
      stroke: axisColor,
      font: AXIS_FONT,
      gap: GAP_PX,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: TICK_PX },
    };
    // Room for the labels actually drawn: uPlot asks for an axis' size with its formatted labels.
    let xLabelWidths: number[] = [];
    const xSize = (_u: uPlot, values: string[] | null) => {
      xLabelWidths = (values ?? []).map(labelWidthPx);
      return X_AXIS_PX;
    };
    // step numbers as uPlot writes them (its number format): ticks spaced for the longest
    stepFormat ??= new Intl.NumberFormat(navigator.language);
    const xSpace = (_u: uPlot, _axis: number, min: number, max: number) =>
      xTickSpace([min, max].map((v) => labelWidthPx(stepFormat!.format(v))), X_TICK_SPACE_MIN_PX);
    const ySize = (_u: uPlot, values: string[] | null) => {
      if (outer.current) outer.current.dataset.yLabels = (values ?? []).join("|");
      return yAxisSize((values ?? []).map(labelWidthPx), Y_AXIS_MIN_PX);
    };
    const xName = props.xLabel === "time" ? t("run.xTime") : props.xLabel === "step" ? t("run.step") : props.xLabel;
    const series: uPlot.Series[] = [
      props.xLabel === "time" ? { label: xName, value: (_u, v) => (v === null ? "–" : formatIsoTime(v)) } : { label: xName },
    ];
    faint.forEach((_, i) => series.push({
      label: `${props.names[i]} (raw)`,
      stroke: colors[i] + "40",
      width: 1,
      spanGaps: true,
      show: true,
      value: (_u, v) => formatValue(v),
    }));
    props.names.forEach((name, i) => series.push({
      label: name,
      stroke: edges.has(i) ? colors[i] + "55" : colors[i],
      width: edges.has(i) ? 0.5 : 1.6,
      spanGaps: true,
      // no dots on a line, but a value with no line through it (logged once) is one
      points: {
        show: false,
        size: POINT_PX,
        fill: colors[i],
        filter: (u, si, show) => (show ? null : lonePoints(u.data[si], true)),
      },
      value: (_u, v) => formatValue(v),
    }));
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: props.height ?? 240,
      series,
      scales: {
        x: { time: props.xLabel === "time" },
        y: { ...(props.logScale ? { distr: 3 } : {}), ...(yRange ? { range: () => yRange } : {}) },
      },
      axes: [
        props.xLabel === "time" ? { ...axis, size: xSize, values: (_u, vals) => isoTimeTicks(vals) } : { ...axis, size: xSize, space: xSpace },
        { ...axis, size: ySize, values: (_u, vals) => vals.map((v) => formatValue(v)) },
      ],
      padding: [null, () => xEdgePad(xLabelWidths, RIGHT_PAD_MIN_PX), null, null],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      bands: bands.map(([hi, lo]) => ({
        series: [1 + faint.length + hi, 1 + faint.length + lo] as [number, number],
        fill: colors[hi] + "26",
      })),
      plugins: [stagePlugin(() => stages.current), marksPlugin(() => marks.current, faint.length, colors), panPlugin()],
      hooks: {
        ready: [
          (u) => {
            // band edges stay out of the legend: the mean's entry stands for its group
            const rows = u.root.querySelectorAll<HTMLElement>(".u-legend .u-series");
            edges.forEach((i) => rows[1 + faint.length + i]?.style.setProperty("display", "none"));
            exposeState(outer.current, u, faint.length);
          },
        ],
        setScale: [(u) => exposeState(outer.current, u, faint.length)],
        setSeries: [
          (u, idx) => {
            pairFaint(u, idx, faint.length);
            exposeState(outer.current, u, faint.length);
          },
        ],
      },
    };
    const u = new uPlot(opts, [props.data[0], ...faint, ...props.data.slice(1)] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 200), height: props.height ?? 240 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, document.documentElement.dataset.theme]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const zoomed = u.scales.x.min !== undefined && u.data[0].length > 0 &&
      (u.scales.x.min! > (u.data[0][0] as number) || u.scales.x.max! < (u.data[0][u.data[0].length - 1] as number));
    u.setData([props.data[0], ...faint, ...props.data.slice(1)] as uPlot.AlignedData, !zoomed);
  }, [props.data, props.faint, props.stages]);

  const onPng = () => {
    const u = plot.current;
    if (!u) return;
    const src = u.ctx.canvas;
    const out = document.createElement("canvas");
    const pad = 28 * devicePixelRatio;
    out.width = src.width;
    out.height = src.height + pad;
    const ctx = out.getContext("2d")!;
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue("--panel").trim() || "#fff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = getComputedStyle(document.body).color;
    ctx.font = `${14 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillText(props.title, 10 * devicePixelRatio, 19 * devicePixelRatio);
    ctx.drawImage(src, 0, pad);
    download(`${fileName(props.title)}.png`, out.toDataURL("image/png"));
  };
  const onCsv = () => {
    // with smoothing on, the raw values travel beside the smoothed ones
    const [xs, ...ys] = props.data;
    const names = [...props.names, ...faint.map((_, i) => `${props.names[i]} (raw)`)];
    const csv = chartCsv(props.xLabel, names, [xs, ...ys, ...faint]);
    download(`${fileName(props.title)}.csv`, URL.createObjectURL(new Blob([csv], { type: "text/csv" })));
  };

  return (
    <div
      ref={outer}
      class="chart card"
      data-testid={props.testid}
      data-series={props.names.length}
      data-points={props.data[0].length}
      data-x={props.xLabel}
      data-bands={bands.length}
      data-clipped={yRange ? "1" : "0"}
      data-phases={stagePhases(props.stages ?? []).length}
    >
      <div class="chart-head">
        <span class="chart-title" title={t("chart.resetHint")}>{props.title}</span>
        <span class="chart-actions">
          <button class="mini" data-testid="chart-png" onClick={onPng}>{t("chart.png")}</button>
          <button class="mini" data-testid="chart-csv" onClick={onCsv}>{t("chart.csv")}</button>
        </span>
      </div>
      <div ref={box} class="chart-plot" />
    </div>
  );
}
