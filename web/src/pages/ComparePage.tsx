// Compare: several runs side by side: first one chart per picked metric with one line per run,
// legends by the runs' labels (x is the step, time, elapsed seconds or any shared metric); then
// their config (the keys that differ highlighted) and summary (each metric's best value
// highlighted, per its goal); then one media key of every run side by side at one step.
import { useState } from "preact/hooks";
import { api, type CompareAnswer, type RunDetail } from "../api";
import { Link, useApp } from "../app";
import { ChartControls } from "../components/ChartControls";
import { CompareMedia } from "../components/CompareMedia";
import { MetricCharts, type RunSeries } from "../components/MetricCharts";
import { useApi } from "../components/useApi";
import { diffRows } from "../lib/columns";
import { bestIndexes, summaryGoals, type Goal } from "../lib/bestValue";
import { formatKeyValue } from "../lib/format";
import { compareHref, runHref } from "../lib/route";
import { labelColumns } from "../lib/tablePrefs";
import { chartedKeys, xChoices } from "../lib/xAxis";

/** A run's name on this page: its label over the compared runs (the config keys that differ). */
function label(r: RunDetail): string {
  return r.label ?? `${r.name} · ${r.id}`;
}

function DiffTable(props: {
  testid: string;
  runs: RunDetail[];
  objects: Record<string, unknown>[];
  onlyDiffers: boolean;
  /** Which way is better per key (summary rows): the best value of the row is highlighted. */
  goals?: Record<string, Goal>;
}) {
  const { t } = useApp();
  const rows = diffRows(props.objects).filter((r) => r.differs || !props.onlyDiffers);
  return (
    <div class="card table-wrap">
      <table class="runs" data-testid={props.testid}>
        <thead>
          <tr>
            <th>{t("compare.key")}</th>
            {props.runs.map((r) => (
              <th data-testid="diff-run">{label(r)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-testid={`${props.testid}-row`} data-key={row.key} data-differs={String(row.differs)} class={row.differs ? "differs" : ""}>
              <td class="mono small">{row.key}</td>
              {cells(row.key, row.values, props.goals?.[row.key], t("compare.best"))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A row's cells, its best value (per `goal`) marked. */
function cells(key: string, values: unknown[], goal: Goal | undefined, bestWord: string) {
  const best = new Set(bestIndexes(values, goal));
  return values.map((v, i) =>
    best.has(i) ? (
      <td class="mono small best" data-best="true" title={`${bestWord} (${goal})`}>
        {formatKeyValue(key, v)}
      </td>
    ) : (
      <td class="mono small">{formatKeyValue(key, v)}</td>
    ),
  );
}

/** Which way is better for each summary key of the compared runs (the viewer's rule, per project). */
async function goalsOf(projects: string[]): Promise<Record<string, Goal>> {
  const answers = await Promise.all(projects.map((project) => api.runColumns({ project }).catch(() => null)));
  return Object.assign({}, ...answers.map((a) => (a ? summaryGoals(a.columns as { name: string; goal?: Goal }[]) : {})));
}

const NONE_FOUND = { details: [] as RunDetail[], missing: [] as string[], shared: [] as string[] };

/** The runs of `ids` that exist, the ids that don't, and the metric keys all found runs share. */
async function findRuns(ids: string[]) {
  const found = await Promise.all(ids.map((id) => api.run(id).catch(() => null)));
  const first = found.find((r) => r !== null);
  // named by their labels over the compared runs, the first run's project's chosen columns leading
  const labels = first
    ? await api.compare(ids, [], "step", labelColumns(first.project)).then((a) => a.labels ?? {}, () => ({}) as Record<string, string>)
    : {};
  const details = found.filter((r): r is RunDetail => r !== null).map((r) => ({ ...r, label: labels[r.key] ?? r.label }));
  return {
    details,
    missing: ids.filter((_, i) => found[i] === null),
    shared: details.length ? details.map((r) => r.metric_keys).reduce((a, b) => a.filter((k) => b.includes(k))) : [],
  };
}

/** One line per run for each compared metric. */
function seriesOf(details: RunDetail[], metrics: CompareAnswer["metrics"]): RunSeries[] {
  return details.map((r) => {
    const series: RunSeries["series"] = {};
    for (const [k, list] of Object.entries(metrics)) {
      const s = list.find((e) => e.run === r.key);
      if (s) series[k] = { x: s.x, y: s.y };
    }
    return { label: label(r), series };
  });
}

export function ComparePage({ ids, media }: { ids: string[]; media?: string }) {
  const { t, navigate } = useApp();
  const [x, setX] = useState<string>("step");
  const [smoothing, setSmoothing] = useState(0);
  const found = useApi(ids.length ? () => findRuns(ids) : null, [ids.join(",")]);
  const { details, missing, shared } = found.data ?? NONE_FOUND;
  const [picked, setPicked] = useState<string[] | null>(null); // null: every shared metric
  const [onlyDiffers, setOnlyDiffers] = useState(false);
  const keys = chartedKeys(picked ?? shared, x);
  const drawn = keys.length > 0 && details.length > 0;
  const compare = () => api.compare(details.map((r) => r.key), keys, x).then((ans) => seriesOf(details, ans.metrics));
  const compared = useApi(drawn ? compare : null, [details, keys.join(","), x]);
  const runs = (drawn && compared.data) || [];
  const projects = [...new Set(details.map((r) => r.project))].sort();
  const goals = useApi(projects.length ? () => goalsOf(projects) : null, [projects.join(",")]).data ?? {};
  const error = compared.error ?? found.error;

  const toggle = (k: string) => {
    const now = picked ?? shared;
    setPicked(now.includes(k) ? now.filter((c) => c !== k) : shared.filter((c) => c === k || now.includes(c)));
  };

  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">{t("compare.title")}</h1>
      </div>
      {ids.length === 0 && <p class="empty" data-testid="compare-none">{t("compare.none")}</p>}
      {error && <div class="error">{error}</div>}
      {missing.length > 0 && (
        <div class="warn">
          {t("compare.missing")}: {missing.join(", ")}
        </div>
      )}
      {details.length > 0 && (
        <div class="compare-runs">
          {details.map((r) => (
            <Link href={runHref(r.key)} class="tag" testid="compare-run">
              {label(r)}
            </Link>
          ))}
        </div>
      )}
      {ids.length > 0 && (
        <div class="toolbar card">
          <ChartControls x={x} setX={setX} smoothing={smoothing} setSmoothing={setSmoothing} choices={xChoices(shared)} />
          <details class="columns-picker">
            <summary data-testid="compare-metrics">
              {t("compare.metrics")} ({keys.length})
            </summary>
            <div class="menu">
              {shared.map((k) => (
                <label class="check" data-testid="compare-metric" data-key={k}>
                  <input type="checkbox" checked={(picked ?? shared).includes(k)} onChange={() => toggle(k)} />
                  <span class="mono small">{k}</span>
                </label>
              ))}
            </div>
          </details>
        </div>
      )}
      {details.length > 0 && shared.length === 0 && <p class="empty">{t("compare.noShared")}</p>}
      {runs.length > 0 && <MetricCharts keys={keys} runs={runs} xLabel={x} smoothing={smoothing} logScale={false} testidPrefix="compare-chart" />}
      {details.length > 0 && (
        <>
          <div class="compare-head">
            <h3 class="group-title">{t("compare.config")}</h3>
            <label class="check">
              <input type="checkbox" data-testid="config-only-differs" checked={onlyDiffers} onChange={(e) => setOnlyDiffers((e.target as HTMLInputElement).checked)} />
              {t("compare.onlyDiffers")}
            </label>
          </div>
          <DiffTable testid="config-diff" runs={details} objects={details.map((r) => r.config ?? {})} onlyDiffers={onlyDiffers} />
          <h3 class="group-title">{t("compare.summary")}</h3>
          <DiffTable testid="summary-compare" runs={details} objects={details.map((r) => r.summary ?? {})} onlyDiffers={false} goals={goals} />
        </>
      )}
      <CompareMedia runs={details} label={label} mediaKey={media} onKey={(k) => navigate(compareHref(ids, k), { replace: true })} />
    </section>
  );
}
