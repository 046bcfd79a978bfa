// The chart a logged table carries (wandb.plot.*), drawn in plain SVG above the table from its
// first CHART_ROWS rows (the shapes come from lib/tableChart.ts).
import { api } from "../api";
import { type ChartSpec, chartShapes } from "../lib/tableChart";
import { Waiting } from "./ListCard";
import { useApi } from "./useApi";

const CHART_ROWS = 1000; // the most one page of rows holds
const W = 560;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 36 };
const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"];

export function TableChart({ runKey, path, spec }: { runKey: string; path: string; spec: ChartSpec }) {
  const { data: page, error } = useApi(() => api.tableRows(runKey, { path, offset: 0, limit: CHART_ROWS }), [runKey, path]);
  if (error || !page) return <Waiting error={error} />;
  const s = chartShapes(spec, page.columns, page.rows, W, H);
  return (
    <figure class="card table-chart" data-testid="table-chart" data-kind={spec.kind}>
      {spec.title && <figcaption data-testid="table-chart-title">{spec.title}</figcaption>}
      <svg viewBox={`0 0 ${W + PAD.left + PAD.right} ${H + PAD.top + PAD.bottom}`} role="img" aria-label={spec.title || spec.kind}>
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          <rect class="table-chart-frame" x={0} y={0} width={W} height={H} fill="none" stroke="currentColor" stroke-opacity={0.2} />
          {s.cells.map((c) => (
            <g>
              <rect x={c.x} y={c.y} width={c.width} height={c.height} fill="#4e79a7" fill-opacity={0.1 + 0.9 * c.shade} />
              <text x={c.x + c.width / 2} y={c.y + c.height / 2} text-anchor="middle" dominant-baseline="middle" font-size={12}>
                {c.value}
              </text>
            </g>
          ))}
          {s.bars.map((b) => (
            <rect data-testid="table-chart-bar" x={b.x} y={b.y} width={b.width} height={b.height} fill={COLORS[0]}>
              <title>{`${b.label}: ${b.value}`}</title>
            </rect>
          ))}
          {s.series.map((line, i) =>
            spec.kind === "scatter" ? (
              line.points.map(([x, y]) => <circle data-testid="table-chart-point" cx={x} cy={y} r={3} fill={COLORS[i % COLORS.length]} />)
            ) : (
              <polyline
                data-testid="table-chart-line"
                points={line.points.map((p) => p.join(",")).join(" ")}
                fill="none"
                stroke={COLORS[i % COLORS.length]}
                stroke-width={1.5}
              >
                <title>{line.name}</title>
              </polyline>
            ),
          )}
          {s.xLabels.map((l) => (
            <text x={l.at} y={H + 16} text-anchor="middle" font-size={11}>
              {l.text}
            </text>
          ))}
          {s.yLabels.map((l) => (
            <text x={-6} y={l.at} text-anchor="end" dominant-baseline="middle" font-size={11}>
              {l.text}
            </text>
          ))}
          {(spec.x_title ?? spec.x) && spec.kind !== "histogram" && (
            <text x={W / 2} y={H + 32} text-anchor="middle" font-size={11} opacity={0.7}>
              {spec.x_title ?? spec.x}
            </text>
          )}
        </g>
      </svg>
      {s.series.length > 1 && (
        <div class="small muted">
          {s.series.map((line, i) => (
            <span style={{ color: COLORS[i % COLORS.length], marginRight: "1em" }}>● {line.name}</span>
          ))}
        </div>
      )}
    </figure>
  );
}
