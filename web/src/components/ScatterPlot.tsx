// The research view's scatter: one column against another on a canvas, each axis linear or log
// (the "log" switches), points coloured by a column (numbers blue to red, categories one hue
// each), runs outside the brushes grey; hovering a point rings it and names the run and its values.
import { useEffect, useRef, useState } from "preact/hooks";
import { shortName } from "../lib/columns";
import { formatValue } from "../lib/format";
import { formatTick, rampColor, type Cell } from "../lib/parallel";
import { colorScale, scaleOf } from "../lib/scale";
import { HEIGHT, PAD, setupCanvas } from "./ResearchPlots";

const OUTSIDE = "rgba(150,150,150,0.35)";
const ONE_COLOR = "rgb(59,130,246)";
const RADIUS = 3.5;

export function ScatterPlot(props: {
  xs: Cell[];
  ys: Cell[];
  labels: string[];
  xName: string;
  yName: string;
  logX: boolean;
  logY: boolean;
  /** The column colouring the points, with its values; none: one colour. */
  colorName: string;
  colors: Cell[] | null;
  selected: Set<number> | null;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const placed = useRef<{ x: number; y: number; i: number }[]>([]);
  const scale = props.colors ? colorScale(props.colors) : null;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const setup = setupCanvas(canvas, HEIGHT);
    if (!setup) return;
    const { ctx, width } = setup;
    const right = width - (scale?.kind === "number" ? PAD.right : PAD.right / 2);
    const sx = scaleOf(props.xs, PAD.left, right, props.logX);
    const sy = scaleOf(props.ys, HEIGHT - PAD.bottom - 16, PAD.top, props.logY);
    const fg = getComputedStyle(canvas).color || "#333";
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.font = "12px system-ui, sans-serif";
    ctx.globalAlpha = 0.4;
    ctx.beginPath();
    ctx.moveTo(PAD.left, PAD.top);
    ctx.lineTo(PAD.left, HEIGHT - PAD.bottom - 16);
    ctx.lineTo(right, HEIGHT - PAD.bottom - 16);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.textAlign = "center";
    for (const tk of sx.ticks) ctx.fillText(tk.label, tk.at, HEIGHT - PAD.bottom);
    ctx.fillText(shortName(props.xName) + (sx.log ? " (log)" : ""), (PAD.left + width) / 2, HEIGHT - 4);
    ctx.textAlign = "right";
    for (const tk of sy.ticks) ctx.fillText(tk.label, PAD.left - 6, tk.at + 4);
    ctx.textAlign = "left";
    ctx.fillText(shortName(props.yName) + (sy.log ? " (log)" : ""), 6, PAD.top - 14);
    const pts: { x: number; y: number; i: number }[] = [];
    props.xs.forEach((xv, i) => {
      const x = sx.place(xv);
      const y = sy.place(props.ys[i]);
      if (x !== null && y !== null) pts.push({ x, y, i });
    });
    placed.current = pts;
    // one fill per colour: the runs outside the brushes first (underneath), then each colour
    const groups = new Map<string, typeof pts>([[OUTSIDE, []]]);
    for (const p of pts) {
      const color = props.selected && !props.selected.has(p.i) ? OUTSIDE : (scale?.colors[p.i] ?? ONE_COLOR);
      let list = groups.get(color);
      if (!list) groups.set(color, (list = []));
      list.push(p);
    }
    for (const [color, list] of groups) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const p of list) {
        ctx.moveTo(p.x + RADIUS, p.y);
        ctx.arc(p.x, p.y, RADIUS, 0, Math.PI * 2);
      }
      ctx.fill();
    }
    if (scale?.range) {
      const [lo, hi] = scale.range;
      const x = width - 20;
      const steps = 40;
      const h = (HEIGHT - PAD.bottom - 16 - PAD.top) / steps;
      for (let i = 0; i < steps; i++) {
        ctx.fillStyle = rampColor(1 - i / (steps - 1));
        ctx.fillRect(x, PAD.top + i * h, 8, h + 0.5);
      }
      ctx.fillStyle = fg;
      ctx.textAlign = "right";
      ctx.fillText(formatTick(hi), x - 3, PAD.top + 9);
      ctx.fillText(formatTick(lo), x - 3, HEIGHT - PAD.bottom - 16);
    }
    const hovered = hover === null ? undefined : pts.find((p) => p.i === hover);
    if (hovered) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(hovered.x, hovered.y, RADIUS + 3, 0, Math.PI * 2);
      ctx.stroke();
    }
    const d = canvas.dataset;
    d.points = String(pts.length);
    d.logX = String(!!sx.log);
    d.logY = String(!!sy.log);
    d.colorBy = props.colors ? props.colorName : "";
    d.colors = String([...groups].filter(([c, l]) => c !== OUTSIDE && l.length > 0).length);
    d.firstPoint = pts.length ? `${pts[0].x.toFixed(1)},${pts[0].y.toFixed(1)}` : "";
  }, [props.xs, props.ys, props.selected, props.logX, props.logY, props.colors, hover]);
  const describe = (i: number) => {
    const parts = [props.labels[i], `${shortName(props.xName)}=${formatValue(props.xs[i])}`, `${shortName(props.yName)}=${formatValue(props.ys[i])}`];
    if (props.colors && props.colorName !== props.xName && props.colorName !== props.yName) {
      parts.push(`${shortName(props.colorName)}=${formatValue(props.colors[i])}`);
    }
    return parts.join(" · ");
  };
  const onMove = (e: MouseEvent) => {
    const r = ref.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    let best: { i: number; d: number } | null = null;
    for (const p of placed.current) {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d < 64 && (!best || d < best.d)) best = { i: p.i, d };
    }
    const found = best ? best.i : null;
    if (found !== hover) setHover(found);
  };
  return (
    <div>
      <canvas ref={ref} class="research-canvas" data-testid="scatter-plot" style={{ width: "100%", height: `${HEIGHT}px` }} onMouseMove={onMove} />
      {scale && scale.legend.length > 0 && (
        <div class="small scatter-legend" data-testid="scatter-legend">
          {shortName(props.colorName)}:
          {scale.legend.map((c) => (
            <span data-testid="scatter-legend-item" data-label={c.label}>
              <span class="swatch" style={{ background: c.color }} /> {c.label}
            </span>
          ))}
        </div>
      )}
      <div class="small mono scatter-hover" data-testid="scatter-hover">
        {hover === null ? "\u00a0" : describe(hover)}
      </div>
    </div>
  );
}
