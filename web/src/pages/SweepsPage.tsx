// Sweeps: the list of sweeps, and one sweep's trials (sortable, the best highlighted) with a
// parallel-coordinates plot of the parameters and the metric (layout in lib/parallel.ts).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type SweepDetail, type SweepTrial } from "../api";
import { Link, useApp } from "../app";
import { ListCard, PageHead, Waiting } from "../components/ListCard";
import { StatusBadge } from "../components/StatusBadge";
import { useApi } from "../components/useApi";
import { layoutParallel, traceLine, type Cell, type FieldSpec } from "../lib/parallel";
import { runHref, sweepHref } from "../lib/route";

function formatValue(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (v === null || v === undefined) return "–";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function SweepsPage() {
  const { t } = useApp();
  const { data: sweeps, error } = useApi(() => api.sweeps().then((a) => a.sweeps), []);
  return (
    <section>
      <PageHead title={t("sweeps.title")} />
      <ListCard
        items={sweeps}
        error={error}
        empty={t("sweeps.empty")}
        emptyTestid="sweeps-empty"
        testid="sweeps-table"
        headers={["sweeps.id", "runs.project", "sweeps.method", "sweeps.metric", "sweeps.trials", "sweeps.best"]}
        rows={(list) =>
          list.map((s) => (
            <tr data-testid="sweep-row">
              <td>
                <Link href={sweepHref(s.id)} testid="sweep-link">
                  <span class="mono">{s.id}</span>
                </Link>
                {s.name && <span class="muted"> {s.name}</span>}
              </td>
              <td>{s.project}</td>
              <td>{s.method}</td>
              <td>{s.metric ? `${s.metric.name} (${s.metric.goal})` : "–"}</td>
              <td>{s.trial_count}</td>
              <td class="mono">{formatValue(s.best_metric)}</td>
            </tr>
          ))
        }
      />
    </section>
  );
}

type SortKey = { field: string; desc: boolean };

function trialValue(tr: SweepTrial, field: string): Cell {
  if (field === "#") return tr.index;
  if (field === "@metric") return tr.metric;
  if (field === "@status") return tr.status;
  return tr.params[field] as Cell;
}

function compareCells(a: Cell, b: Cell): number {
  const missA = a === null || a === undefined;
  const missB = b === null || b === undefined;
  if (missA || missB) return missA === missB ? 0 : missA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function ParallelPlot({ sweep }: { sweep: SweepDetail }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const metricName = sweep.metric?.name ?? "metric";
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const width = canvas.clientWidth || 800;
    const height = 320;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    const fields: FieldSpec[] = sweep.parameters.map((p) => ({
      name: p.name,
      scale: p.distribution.includes("log") ? "log" : "linear",
    }));
    fields.push({ name: metricName });
    const items = sweep.trials.map((tr) => ({ ...tr.params, [metricName]: tr.metric }) as Record<string, Cell>);
    const layout = layoutParallel(items, fields, { width, height, padding: { top: 28, right: 60, bottom: 20, left: 60 } }, metricName);
    const style = getComputedStyle(canvas);
    const fg = style.color || "#333";
    ctx.clearRect(0, 0, width, height);
    ctx.lineWidth = 1.5;
    for (const line of layout.lines) {
      const best = sweep.trials[line.index]?.index === sweep.best_trial;
      ctx.strokeStyle = line.color;
      ctx.globalAlpha = best ? 1 : 0.7;
      ctx.lineWidth = best ? 3 : 1.5;
      ctx.beginPath();
      traceLine(ctx, line.points);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1;
    ctx.fillStyle = fg;
    ctx.strokeStyle = fg;
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (const axis of layout.axes) {
      ctx.beginPath();
      ctx.moveTo(axis.x, 28);
      ctx.lineTo(axis.x, height - 20);
      ctx.stroke();
      ctx.fillText(axis.name, axis.x, 16);
      for (const tick of axis.ticks) ctx.fillText(tick.label, axis.x, tick.y + 4);
    }
    canvas.dataset.lines = String(layout.lines.length);
    canvas.dataset.axes = layout.axes.map((a) => a.name).join(",");
  }, [sweep, metricName]);
  return <canvas ref={ref} class="parallel" data-testid="sweep-parallel" style={{ width: "100%", height: "320px" }} />;
}

export function SweepPage({ id }: { id: string }) {
  const { t } = useApp();
  const { data: sweep, error } = useApi(() => api.sweep(id), [id]);
  const [sort, setSort] = useState<SortKey>({ field: "#", desc: false });
  const rows = useMemo(() => {
    if (!sweep) return [];
    const out = [...sweep.trials];
    out.sort((a, b) => compareCells(trialValue(a, sort.field), trialValue(b, sort.field)) * (sort.desc ? -1 : 1));
    return out;
  }, [sweep, sort]);
  if (error || !sweep) return <Waiting error={error} />;
  const fields = [...sweep.parameters.map((p) => p.name)];
  const header = (field: string, label: string) => (
    <th
      class="sortable"
      data-testid={`sort-${field}`}
      onClick={() => setSort((s) => ({ field, desc: s.field === field ? !s.desc : false }))}
    >
      {label}
      {sort.field === field ? (sort.desc ? " ▼" : " ▲") : ""}
    </th>
  );
  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">
          {t("sweeps.id")} <span class="mono">{sweep.id}</span>
        </h1>
        <span class="muted" data-testid="sweep-method">
          {sweep.method}
          {sweep.metric ? ` · ${sweep.metric.name} (${sweep.metric.goal})` : ""}
        </span>
      </div>
      {sweep.trials.length === 0 ? (
        <div class="card empty">{t("sweeps.noTrials")}</div>
      ) : (
        <>
          <div class="card" style={{ padding: "12px", marginBottom: "14px" }}>
            <h3>{t("sweeps.parallel")}</h3>
            <ParallelPlot sweep={sweep} />
          </div>
          <div class="card">
            <table class="runs" data-testid="trials-table">
              <thead>
                <tr>
                  {header("#", t("sweeps.trial"))}
                  {fields.map((f) => header(f, f))}
                  {header("@metric", sweep.metric?.name ?? t("sweeps.metric"))}
                  {header("@status", t("sweeps.status"))}
                  <th>{t("sweeps.run")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((tr) => (
                  <tr
                    data-testid="trial-row"
                    data-index={tr.index}
                    data-best={tr.index === sweep.best_trial ? "true" : undefined}
                    class={tr.index === sweep.best_trial ? "best" : ""}
                  >
                    <td class="mono">{tr.index}</td>
                    {fields.map((f) => (
                      <td class="mono">{formatValue(tr.params[f])}</td>
                    ))}
                    <td class="mono" data-testid="trial-metric">
                      {formatValue(tr.metric)}
                    </td>
                    <td>
                      <StatusBadge status={tr.status} />
                    </td>
                    <td>
                      {tr.run_key ? (
                        <Link href={runHref(tr.run_key)} testid="trial-run">
                          <span class="mono">{tr.run_id}</span>
                        </Link>
                      ) : (
                        "–"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
