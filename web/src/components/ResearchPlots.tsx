// The research view's canvases: parallel coordinates of config keys and a summary metric with
// brushing (drag along an axis to keep a range; a click on an axis clears its brush) and a colour
// scale for the metric (the scatter is in ScatterPlot.tsx). Layout and scales are pure (lib/parallel.ts, lib/scale.ts); lines are stroked one
// path per colour.
import { useEffect, useRef, useState } from "preact/hooks";
import { brushFromDrag } from "../lib/brush";
import { formatTick, layoutParallel, linesByColor, rampColor, traceLine, type Cell, type FieldSpec } from "../lib/parallel";
import type { Brush } from "../lib/viewState";
import { shortName } from "../lib/columns";

export const PAD = { top: 30, right: 70, bottom: 24, left: 70 };
export const HEIGHT = 380;
const AXIS_GRAB_PX = 14;
const COLOR_STEPS = 12;

export function setupCanvas(canvas: HTMLCanvasElement, height: number): { ctx: CanvasRenderingContext2D; width: number } | null {
  const width = canvas.clientWidth || 800;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width };
}

/** A vertical bar from blue (the lowest value) to red (the highest) with both values beside it;
 *  the range drawn, or null when no value is a number. */
function drawColorScale(ctx: CanvasRenderingContext2D, values: Cell[], x: number, top: number, bottom: number, fg: string): [number, number] | null {
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (nums.length === 0) return null;
  const lo = nums.reduce((a, b) => Math.min(a, b));
  const hi = nums.reduce((a, b) => Math.max(a, b));
  const steps = 40;
  const h = (bottom - top) / steps;
  for (let i = 0; i < steps; i++) {
    ctx.fillStyle = rampColor(1 - i / (steps - 1));
    ctx.fillRect(x, top + i * h, 8, h + 0.5);
  }
  ctx.fillStyle = fg;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.fillText(formatTick(hi), x - 3, top + 9);
  ctx.fillText(formatTick(lo), x - 3, bottom);
  return [lo, hi];
}

export function ParallelPlot(props: {
  items: Record<string, Cell>[];
  fields: FieldSpec[];
  colorBy: string;
  brushes: Brush[];
  selected: Set<number>;
  onBrush: (field: string, brush: Brush | null) => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ field: string; y0: number; y1: number } | null>(null);
  const axesX = useRef<{ name: string; x: number }[]>([]);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const started = performance.now();
    const setup = setupCanvas(canvas, HEIGHT);
    if (!setup) return;
    const { ctx, width } = setup;
    const layout = layoutParallel(props.items, props.fields, { width, height: HEIGHT, padding: PAD }, props.colorBy, COLOR_STEPS);
    axesX.current = layout.axes.map((a) => ({ name: a.name, x: a.x }));
    const fg = getComputedStyle(canvas).color || "#333";
    const brushed = props.brushes.length > 0 ? props.selected : undefined;
    // one path per colour bucket: a few strokes for any number of runs
    ctx.lineWidth = props.items.length > 2000 ? 0.6 : 1.2;
    ctx.globalAlpha = props.items.length > 2000 ? 0.35 : 0.8;
    for (const group of linesByColor(layout.lines, brushed)) {
      ctx.strokeStyle = group.color;
      ctx.beginPath();
      for (const line of group.lines) {
        traceLine(ctx, line.points);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    const top = PAD.top;
    const bottom = HEIGHT - PAD.bottom;
    const shown = drag ? [...props.brushes.filter((b) => b.field !== drag.field), brushFromDrag(drag.field, drag.y0, drag.y1, top, bottom)] : props.brushes;
    ctx.fillStyle = "rgba(99,102,241,0.22)";
    ctx.strokeStyle = "rgba(99,102,241,0.9)";
    for (const b of shown) {
      const axis = layout.axes.find((a) => a.name === b.field);
      if (!axis) continue;
      const y0 = bottom - b.hi * (bottom - top);
      const y1 = bottom - b.lo * (bottom - top);
      ctx.fillRect(axis.x - 8, y0, 16, Math.max(1, y1 - y0));
      ctx.strokeRect(axis.x - 8, y0, 16, Math.max(1, y1 - y0));
    }
    ctx.fillStyle = fg;
    ctx.strokeStyle = fg;
    ctx.lineWidth = 1;
    ctx.font = "12px system-ui, sans-serif";
    for (const axis of layout.axes) {
      ctx.beginPath();
      ctx.moveTo(axis.x, top);
      ctx.lineTo(axis.x, bottom);
      ctx.stroke();
      ctx.textAlign = "center";
      ctx.fillText(shortName(axis.name) + (axis.log ? " (log)" : ""), axis.x, top - 12);
      ctx.textAlign = "right";
      const every = Math.ceil(axis.ticks.length / 12);
      axis.ticks.forEach((tick, i) => i % every === 0 && ctx.fillText(tick.label, axis.x - 5, tick.y + 4));
    }
    const range = drawColorScale(ctx, props.items.map((it) => it[props.colorBy]), width - 20, top, bottom, fg);
    const d = canvas.dataset;
    d.drawMs = (performance.now() - started).toFixed(1);
    d.lines = String(layout.lines.length);
    d.axes = layout.axes.map((a) => a.name).join("|");
    d.logAxes = layout.axes.filter((a) => a.log).map((a) => a.name).join("|");
    d.colorScale = range ? `${props.colorBy}:${range[0]}:${range[1]}` : "";
  }, [props.items, props.fields, props.colorBy, props.brushes, props.selected, drag]);

  const local = (e: MouseEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const onDown = (e: MouseEvent) => {
    const p = local(e);
    const axis = axesX.current.find((a) => Math.abs(a.x - p.x) <= AXIS_GRAB_PX);
    if (!axis) return;
    e.preventDefault();
    setDrag({ field: axis.name, y0: p.y, y1: p.y });
  };
  const onMove = (e: MouseEvent) => drag && setDrag({ ...drag, y1: local(e).y });
  const onUp = (e: MouseEvent) => {
    if (!drag) return;
    const y1 = local(e).y;
    setDrag(null);
    if (Math.abs(y1 - drag.y0) < 3) props.onBrush(drag.field, null); // a click clears the axis
    else props.onBrush(drag.field, brushFromDrag(drag.field, drag.y0, y1, PAD.top, HEIGHT - PAD.bottom));
  };
  return (
    <canvas
      ref={ref}
      class="parallel research-canvas"
      data-testid="parallel-plot"
      data-brushes={props.brushes.length}
      data-selected={props.selected.size}
      style={{ width: "100%", height: `${HEIGHT}px`, cursor: "crosshair" }}
      onMouseDown={onDown}
      onMouseMove={onMove}
      onMouseUp={onUp}
      onMouseLeave={(e) => drag && onUp(e)}
    />
  );
}
