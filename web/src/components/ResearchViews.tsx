// The research views of the Runs page over the listed runs: charts (ChartsView.tsx: a line per run,
// or a mean and band per group), parallel coordinates with brushing, and a scatter of two columns.
// Their settings are part of the page's address (lib/viewState.ts).
import { useMemo } from "preact/hooks";
import type { RunFilter, RunTable } from "../api";
import { Link, useApp } from "../app";
import { setBrush } from "../lib/brush";
import { shortName, tableItems, type ColumnInfo } from "../lib/columns";
import { formatValue } from "../lib/format";
import { runHref } from "../lib/route";
import type { ViewState } from "../lib/viewState";
import { ChartsView, Select } from "./ChartsView";
import { ParallelPlot, ScatterPlot } from "./ResearchPlots";

const BRUSHED_ROWS_SHOWN = 200;

export function ResearchViews(props: {
  view: ViewState;
  update: (patch: Partial<ViewState>) => void;
  filter: RunFilter;
  columnInfo: ColumnInfo[] | null;
  plotted: { keys: string[]; metric: string };
  table: RunTable | null;
  brushed: Set<string> | null;
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
          <Select testid="parallel-metric" label={t("research.metric")} value={props.plotted.metric} options={summaryKeys} onChange={(metric) => update({ metric })} />
          <span class="muted small">{t("research.brushHint")}</span>
          {view.brushes.length > 0 && (
            <button class="mini" data-testid="brush-clear" onClick={() => update({ brushes: [] })}>
              {t("research.clearBrushes")}
            </button>
          )}
        </div>
        {table ? (
          <ParallelTable table={table} fields={fields} metric={props.plotted.metric} brushed={props.brushed} update={update} view={view} />
        ) : (
          <p class="muted">{t("loading")}</p>
        )}
      </div>
    );
  }

  const sx = view.scatterX || props.plotted.keys[0] || configKeys[0] || "";
  const sy = view.scatterY || props.plotted.metric;
  return (
    <div data-testid="research-scatter">
      <div class="toolbar card">
        <Select testid="scatter-x" label="x" value={sx} options={all} onChange={(scatterX) => update({ scatterX })} />
        <Select testid="scatter-y" label="y" value={sy} options={all} onChange={(scatterY) => update({ scatterY })} />
      </div>
      {table && table.columns[sx] && table.columns[sy] ? (
        <div class="card">
          <ScatterPlot
            xs={table.columns[sx]}
            ys={table.columns[sy]}
            labels={table.labels}
            xName={sx}
            yName={sy}
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
  brushed: Set<string> | null;
  view: ViewState;
  update: (patch: Partial<ViewState>) => void;
}) {
  const { t } = useApp();
  const { table, fields } = props;
  const items = useMemo(() => tableItems(table), [table]);
  const specs = useMemo(() => fields.map((name) => ({ name })), [fields.join(",")]);
  const selected = useMemo(
    () => new Set(table.keys.flatMap((k, i) => (!props.brushed || props.brushed.has(k) ? [i] : []))),
    [table, props.brushed],
  );
  const rows = table.keys.map((key, i) => ({ key, i })).filter((r) => selected.has(r.i));
  return (
    <>
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
      <div class="card table-wrap">
        <p class="muted small" data-testid="brushed-count">
          {rows.length} / {table.keys.length} {t("runs.total")}
        </p>
        <table class="runs" data-testid="brushed-table">
          <thead>
            <tr>
              <th>{t("research.label")}</th>
              {fields.map((f) => (
                <th class="num" title={f}>{shortName(f)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, BRUSHED_ROWS_SHOWN).map(({ key, i }) => (
              <tr data-testid="brushed-row" data-key={key}>
                <td>
                  <Link href={runHref(key)}>{table.labels[i]}</Link>
                </td>
                {fields.map((f) => (
                  <td class="num mono small">{formatValue(table.columns[f]?.[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
