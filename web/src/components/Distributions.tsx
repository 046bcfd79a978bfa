// Histograms logged with log_histogram (wandb.Histogram): each key drawn over steps as a heat map.
import { useEffect, useRef } from "preact/hooks";
import { api, type HistogramSeries } from "../api";
import { useApp } from "../app";
import { heatGrid, heatPixels } from "../lib/heatmap";
import { Waiting } from "./ListCard";
import { useApi } from "./useApi";

const ROWS = 64;

function HeatMap({ name, h }: { name: string; h: HistogramSeries }) {
  const { t } = useApp();
  const canvas = useRef<HTMLCanvasElement>(null);
  const grid = heatGrid(h, ROWS);
  useEffect(() => {
    const c = canvas.current;
    if (!c || grid.cols === 0) return;
    c.width = grid.cols;
    c.height = grid.rows;
    c.getContext("2d")?.putImageData(new ImageData(heatPixels(grid), grid.cols, grid.rows), 0, 0);
  }, [h]);
  const fmt = (v: number) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(2) : v.toFixed(2));
  return (
    <div class="card chart-card" data-testid={`histogram-${name}`} data-steps={h.steps.length}>
      <div class="chart-head">
        <span class="chart-title">{name}</span>
        <span class="muted small">
          {t("run.step")} {h.steps[0]} – {h.steps[h.steps.length - 1]}
        </span>
      </div>
      <div class="heatmap">
        <div class="heatmap-y muted small">
          <span>{fmt(grid.hi)}</span>
          <span>{fmt(grid.lo)}</span>
        </div>
        <canvas ref={canvas} data-testid={`heatmap-${name}`} />
      </div>
    </div>
  );
}

export function Distributions({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const { data: keys, error } = useApi(() => api.histograms(runKey).then((r) => r.keys), [runKey]);
  if (error || !keys) return <Waiting error={error} />;
  const names = Object.keys(keys).sort();
  if (names.length === 0) return <p class="empty" data-testid="no-histograms">{t("run.noHistograms")}</p>;
  return (
    <div class="chart-grid">
      {names.map((name) => (
        <HeatMap name={name} h={keys[name]} />
      ))}
    </div>
  );
}
