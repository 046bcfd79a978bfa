// The research view's canvases: parallel coordinates of config keys and a summary metric with
// brushing (drag along an axis to keep a range; a click on an axis clears its brush), and a
// scatter of one column against another. Layout and scales are pure (lib/parallel.ts,
// lib/scale.ts); lines are stroked one path per colour.
import { useEffect, useRef, useState } from "preact/hooks";
import { brushFromDrag } from "../lib/brush";
import { layoutParallel, linesByColor, rampColor, traceLine, type Cell, type FieldSpec } from "../lib/parallel";
import { scaleOf } from "../lib/scale";
import type { Brush } from "../lib/viewState";
import { shortName } from "../lib/columns";

const PAD = { top: 30, right: 70, bottom: 24, left: 70 };
const HEIGHT = 380;
const AXIS_GRAB_PX = 14;
const COLOR_STEPS = 12;

function setupCanvas(canvas: HTMLCanvasElement, height: number): { ctx: CanvasRenderingContext2D; width: number } | null {
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
      ctx.fillText(shortName(axis.name), axis.x, top - 12);
      ctx.textAlign = "right";
      const every = Math.ceil(axis.ticks.length / 12);
      axis.ticks.forEach((tick, i) => i % every === 0 && ctx.fillText(tick.label, axis.x - 5, tick.y + 4));
    }
    const d = canvas.dataset;
    d.drawMs = (performance.now() - started).toFixed(1);
    d.lines = String(layout.lines.length);
    d.axes = layout.axes.map((a) => a.name).join("|");
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

export function ScatterPlot(props: {
  xs: Cell[];
  ys: Cell[];
  labels: string[];
  xName: string;
  yName: string;
  selected: Set<number> | null;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<string>("");
  const placed = useRef<{ x: number; y: number; i: number }[]>([]);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const setup = setupCanvas(canvas, HEIGHT);
    if (!setup) return;
    const { ctx, width } = setup;
    const sx = scaleOf(props.xs, PAD.left, width - PAD.right / 2);
    const sy = scaleOf(props.ys, HEIGHT - PAD.bottom - 16, PAD.top);
    const fg = getComputedStyle(canvas).color || "#333";
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.font = "12px system-ui, sans-serif";
    ctx.globalAlpha = 0.4;
    ctx.beginPath();
    ctx.moveTo(PAD.left, PAD.top);
    ctx.lineTo(PAD.left, HEIGHT - PAD.bottom - 16);
    ctx.lineTo(width - PAD.right / 2, HEIGHT - PAD.bottom - 16);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.textAlign = "center";
    for (const tk of sx.ticks) ctx.fillText(tk.label, tk.at, HEIGHT - PAD.bottom);
    ctx.fillText(shortName(props.xName), (PAD.left + width) / 2, HEIGHT - 4);
    ctx.textAlign = "right";
    for (const tk of sy.ticks) ctx.fillText(tk.label, PAD.left - 6, tk.at + 4);
    ctx.textAlign = "left";
    ctx.fillText(shortName(props.yName), 6, PAD.top - 14);
    const pts: { x: number; y: number; i: number }[] = [];
    props.xs.forEach((xv, i) => {
      const x = sx.place(xv);
      const y = sy.place(props.ys[i]);
      if (x !== null && y !== null) pts.push({ x, y, i });
    });
    placed.current = pts;
    // two fills: the runs outside the brushes, then the ones inside
    const inside = (i: number) => !props.selected || props.selected.has(i);
    for (const [keep, color] of [[false, "rgba(150,150,150,0.35)"], [true, rampColor(0.15)]] as const) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const p of pts) {
        if (inside(p.i) !== keep) continue;
        ctx.moveTo(p.x + 3.5, p.y);
        ctx.arc(p.x, p.y, 3.5, 0, Math.PI * 2);
      }
      ctx.fill();
    }
    canvas.dataset.points = String(pts.length);
  }, [props.xs, props.ys, props.selected]);
  const onMove = (e: MouseEvent) => {
    const r = ref.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    let best: { i: number; d: number } | null = null;
    for (const p of placed.current) {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d < 64 && (!best || d < best.d)) best = { i: p.i, d };
    }
    setHover(best ? `${props.labels[best.i]} · ${String(props.xs[best.i])} · ${String(props.ys[best.i])}` : "");
  };
  return (
    <div>
      <canvas
        ref={ref}
        class="research-canvas"
        data-testid="scatter-plot"
        style={{ width: "100%", height: `${HEIGHT}px` }}
        onMouseMove={onMove}
      />
      <div class="muted small mono" data-testid="scatter-hover">{hover || "\u00a0"}</div>
    </div>
  );
}
