// The research views of the Runs page over the listed runs: charts (ChartsView.tsx: a line per run,
// or a mean and band per group), parallel coordinates with brushing beside the metric's
// "Parameter importance", and a scatter of two columns. Their settings are part of the page's
// address (lib/viewState.ts).
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { RunFilter, RunTable } from "../api";
import { Link, useApp } from "../app";
import { setBrush } from "../lib/brush";
import { shortName, tableItems, type ColumnInfo } from "../lib/columns";
import { columnFormatter } from "../lib/format";
import { parallelSpecs, sortByMetric, type ImportanceAnswer } from "../lib/importance";
import { goalOf, type Goal } from "../lib/runsTable";
import { runHref } from "../lib/route";
import type { ViewState } from "../lib/viewState";
import { ChartsView, Select } from "./ChartsView";
import { ImportancePanel } from "./ImportancePanel";
import { ParallelPlot } from "./ResearchPlots";
import { ScatterPlot } from "./ScatterPlot";

const BRUSHED_ROWS_SHOWN = 200;

export function ResearchViews(props: {
  view: ViewState;
  update: (patch: Partial<ViewState>) => void;
  filter: RunFilter;
  columnInfo: ColumnInfo[] | null;
  plotted: { keys: string[]; metric: string };
  table: RunTable | null;
  brushed: Set<string> | null;
  /** The metric's parameter importance (the parallel view shows it). */
  importance?: { data: ImportanceAnswer | null; error: string | null };
}) {
  const { t } = useApp();
  const { view, update, columnInfo } = props;
  const all = (columnInfo ?? []).map((c) => c.name);
  const configKeys = all.filter((c) => c.startsWith("config."));
  const summaryKeys = all.filter((c) => c.startsWith("summary."));

  if (view.view === "charts") return <ChartsView view={view} update={update} filter={props.filter} columnInfo={columnInfo} />;

  const table = props.table;
  if (view.view === "parallel") {
    const fields = [...props.plotted.keys, props.plotted.metric].filter(Boolean);
    return (
      <div data-testid="research-parallel">
        <div class="toolbar card">
          <Select
            testid="parallel-metric"
            label={t("research.metric")}
            value={props.plotted.metric}
            options={summaryKeys}
            names={Object.fromEntries(summaryKeys.map((k) => [k, shortName(k)]))}
            onChange={(metric) => update({ metric })}
          />
          <span class="muted small">{t("research.brushHint")}</span>
          {view.brushes.length > 0 && (
            <button class="mini" data-testid="brush-clear" onClick={() => update({ brushes: [] })}>
              {t("research.clearBrushes")}
            </button>
          )}
        </div>
        {table ? (
          <ParallelTable
            table={table}
            fields={fields}
            metric={props.plotted.metric}
            goal={goalOf(props.plotted.metric, columnInfo)}
            brushed={props.brushed}
            update={update}
            view={view}
            importance={
              <ImportancePanel
                answer={props.importance?.data ?? null}
                error={props.importance?.error ?? null}
                onPick={(p) => update({ view: "scatter", scatterX: p.name, scatterY: props.plotted.metric, scatterLogX: p.log })}
              />
            }
          />
        ) : (
          <p class="muted">{t("loading")}</p>
        )}
      </div>
    );
  }

  const sx = view.scatterX || props.plotted.keys[0] || configKeys[0] || "";
  const sy = view.scatterY || props.plotted.metric;
  const sc = view.scatterColor;
  const logSwitch = (testid: string, checked: boolean, patch: (on: boolean) => Partial<ViewState>) => (
    <label class="check">
      <input type="checkbox" data-testid={testid} checked={checked} onChange={(e) => update(patch((e.target as HTMLInputElement).checked))} />
      {t("research.log")}
    </label>
  );
  return (
    <div data-testid="research-scatter">
      <div class="toolbar card">
        <Select testid="scatter-x" label="x" value={sx} options={all} onChange={(scatterX) => update({ scatterX })} />
        {logSwitch("scatter-log-x", view.scatterLogX, (scatterLogX) => ({ scatterLogX }))}
        <Select testid="scatter-y" label="y" value={sy} options={all} onChange={(scatterY) => update({ scatterY })} />
        {logSwitch("scatter-log-y", view.scatterLogY, (scatterLogY) => ({ scatterLogY }))}
        <Select testid="scatter-color" label={t("research.colorBy")} value={sc} empty="–" options={all} onChange={(scatterColor) => update({ scatterColor })} />
      </div>
      {table && table.columns[sx] && table.columns[sy] ? (
        <div class="card">
          <ScatterPlot
            xs={table.columns[sx]}
            ys={table.columns[sy]}
            labels={table.labels}
            xName={sx}
            yName={sy}
            logX={view.scatterLogX}
            logY={view.scatterLogY}
            colorName={sc}
            colors={sc ? (table.columns[sc] ?? null) : null}
            selected={props.brushed ? new Set(table.keys.flatMap((k, i) => (props.brushed!.has(k) ? [i] : []))) : null}
          />
        </div>
      ) : (
        <p class="muted">{table ? t("research.pickScatter") : t("loading")}</p>
      )}
    </div>
  );
}

function ParallelTable(props: {
  table: RunTable;
  fields: string[];
  metric: string;
  goal: Goal | null; // the metric's, from the viewer's column list (define_metric, else its name)
  brushed: Set<string> | null;
  view: ViewState;
  update: (patch: Partial<ViewState>) => void;
  importance: ComponentChildren;
}) {
  const { t } = useApp();
  const { table, fields, metric } = props;
  const items = useMemo(() => tableItems(table), [table]);
  const specs = useMemo(() => parallelSpecs(fields, table.columns), [fields.join(","), table]);
  const selected = useMemo(
    () => new Set(table.keys.flatMap((k, i) => (!props.brushed || props.brushed.has(k) ? [i] : []))),
    [table, props.brushed],
  );
  // the runs inside the brushes, over every matching run (not one page), best first by the metric
  const [flipped, setFlipped] = useState(false);
  const lowerFirst = (props.goal === "minimize") !== flipped;
  const order = useMemo(
    () => sortByMetric([...selected].sort((a, b) => a - b), table.columns[metric] ?? [], lowerFirst),
    [selected, table, metric, lowerFirst],
  );
  const rows = order.map((i) => ({ key: table.keys[i], i }));
  const listed = rows.slice(0, BRUSHED_ROWS_SHOWN);
  // each column writes its numbers one way (a learning rate column with exponents throughout)
  const formats = fields.map((f) => columnFormatter(listed.map(({ i }) => table.columns[f]?.[i])));
  return (
    <>
      <div class="research-top">
        <div class="card">
          <ParallelPlot
            items={items}
            fields={specs}
            colorBy={props.metric}
            brushes={props.view.brushes}
            selected={selected}
            onBrush={(field, brush) => props.update({ brushes: setBrush(props.view.brushes, field, brush) })}
          />
        </div>
        {props.importance}
      </div>
      <div class="card table-wrap">
        <p class="muted small" data-testid="brushed-count" data-count={rows.length} data-total={table.total}>
          {rows.length.toLocaleString()} / {table.total.toLocaleString()}{" "}
          {t(props.view.brushes.length ? "research.brushedOf" : "research.allRuns")} · {shortName(metric)}, {t("research.bestFirst")}
        </p>
        <table class="runs" data-testid="brushed-table">
          <thead>
            <tr>
              <th>{t("research.label")}</th>
              {fields.map((f) =>
                f === metric ? (
                  <th class="num sortable" title={f} data-testid="brushed-sort" onClick={() => setFlipped(!flipped)}>
                    {shortName(f)}
                    {lowerFirst ? " ▲" : " ▼"}
                  </th>
                ) : (
                  <th class="num" title={f}>
                    {shortName(f)}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {listed.map(({ key, i }) => (
              <tr data-testid="brushed-row" data-key={key} data-metric={String(table.columns[metric]?.[i] ?? "")}>
                <td>
                  <Link href={runHref(key)}>{table.labels[i]}</Link>
                </td>
                {fields.map((f, at) => (
                  <td class="num mono small">{formats[at](table.columns[f]?.[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
