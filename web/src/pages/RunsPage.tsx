// Runs: filter with a query, search, sort on any column (config and summary too), page through
// runs, pick some to compare; the research views (grouped charts, parallel coordinates, scatter)
// over the same runs. The whole view lives in the address (lib/viewState.ts): a link reproduces it.
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, api, type RunFilter } from "../api";
import { useApp } from "../app";
import { ColumnChooser } from "../components/ColumnChooser";
import { QueryBox, type QueryError } from "../components/QueryBox";
import { ResearchViews } from "../components/ResearchViews";
import { RunsTable } from "../components/RunsTable";
import { useApi } from "../components/useApi";
import { brushSelection } from "../lib/brush";
import { firstVisitColumns, MAX_PLOT_KEYS, plotFields, shownColumns, tableItems } from "../lib/columns";
import { importantKeys, parallelSpecs } from "../lib/importance";
import type { MessageKey } from "../lib/i18n";
import { compareHref } from "../lib/route";
import { goalOf, groupMetric, nextSort, visibleBuiltins } from "../lib/runsTable";
import { columnChoice, rememberColumns, rememberedHidden, rememberHidden } from "../lib/tablePrefs";
import { parseView, viewHref, type ResearchTab, type ViewState } from "../lib/viewState";

const PAGE_SIZE = 50;
const REFRESH_MS = 5000;
const IMPORTANCE_EVERY_TICKS = 6; // parameter importance: every 30 s
const STATUSES = ["running", "finished", "failed", "interrupted", "crashed"];
const TABS: ResearchTab[] = ["table", "charts", "parallel", "scatter"];
const GROUP_ROWS = 50; // runs shown per group

/** A query the viewer could not parse, kept with the query it was about. */
class BadQuery extends Error {
  constructor(readonly error: QueryError) {
    super(error.message);
  }
}

export function RunsPage({ search }: { search: string }) {
  const { t, navigate } = useApp();
  const view = useMemo(() => parseView(search), [search]);
  const update = (patch: Partial<ViewState>) => navigate(viewHref({ ...view, ...patch }), { replace: true });
  const refilter = (patch: Partial<ViewState>) => update({ ...patch, offset: 0 });
  const filter: RunFilter = { project: view.project, name: view.name, status: view.status, tag: view.tag, q: view.q };
  const filterKey = JSON.stringify(filter);

  const [autoRefresh, setAutoRefresh] = useState(true);
  const [tick, setTick] = useState(0);
  const [picked, setPicked] = useState<string[]>([]);
  const [wantColumns, setWantColumns] = useState(false);
  const projects = useApi(() => api.projects().then((p) => p.projects.map((x) => x.name)), [tick]).data ?? [];
  const choice = view.columns ?? columnChoice(view.project);
  const hidden = view.hide ?? rememberedHidden(view.project);
  const grouping = view.view === "table" && view.group !== "";
  // the columns' goals (sorting a metric best first) and config keys (grouping) come with them;
  // a first visit (no choice made) asks for them too, to show the config keys that differ
  const needInfo = choice === null || wantColumns || view.differs || view.view !== "table" || view.brushes.length > 0 || (choice?.length ?? 0) > 0 || grouping;
  const { data: columnInfo, error: columnError } = useApi(needInfo ? () => api.runColumns(filter).then((a) => a.columns) : null, [
    filterKey,
    needInfo,
    tick,
  ]);

  const chosen = choice ?? firstVisitColumns(columnInfo);
  const shown = shownColumns(chosen, columnInfo, view.differs);
  const fallback = plotFields(chosen, columnInfo, view.metric);
  // the parallel plot's axes: the config keys that matter most for the metric first
  const wantImportance = (view.view === "parallel" || view.brushes.length > 0) && !!fallback.metric;
  const slowTick = Math.floor(tick / IMPORTANCE_EVERY_TICKS); // a forest per refresh would cost a core
  const importance = useApi(wantImportance ? () => api.importance(filter, fallback.metric) : null, [filterKey, wantImportance, fallback.metric, slowTick]);
  const chosenConfig = chosen.filter((c) => c.startsWith("config."));
  const ranked = importance.data?.metric === fallback.metric ? importance.data : null;
  const plotted = { ...fallback, keys: importantKeys(chosenConfig, fallback.keys, ranked, MAX_PLOT_KEYS) };
  const tableColumns = [...new Set([...plotted.keys, plotted.metric, view.scatterX, view.scatterY, view.scatterColor].filter(Boolean))];
  const needTable = view.view === "parallel" || view.view === "scatter" || view.brushes.length > 0;
  const tabled = useApi(needTable && tableColumns.length > 0 ? () => api.runTable(filter, tableColumns) : null, [
    filterKey,
    needTable,
    tableColumns.join(","),
    tick,
  ]);
  const table = tabled.data;

  // brushing filters the runs: the runs inside every brush, over the table answer (every matching
  // run); the table view pages, counts and groups them through the same selection as a query
  const selection = useMemo(() => {
    if (!table || view.brushes.length === 0) return null;
    const fields = parallelSpecs([...plotted.keys, plotted.metric].filter(Boolean), table.columns);
    const { rows, where } = brushSelection(tableItems(table), fields, view.brushes);
    return { keys: new Set([...rows].map((i) => table.keys[i])), where };
  }, [table, view.brushes, plotted.keys.join(","), plotted.metric]);
  const brushed = selection?.keys ?? null;
  const listFilter: RunFilter = { ...filter, where: selection?.where ?? undefined };

  const q = view.q;
  const listed = useApi(
    () =>
      api.runs({ ...listFilter, sort: view.sort, order: view.order, offset: view.offset, limit: PAGE_SIZE, columns: shown }).catch((e) => {
        throw e instanceof ApiError && e.status === 400 && q ? new BadQuery({ message: e.message, column: e.column, query: q }) : e;
      }),
    [filterKey, listFilter.where, view.sort, view.order, view.offset, shown.join(","), tick],
  );
  const list = listed.data;
  const metric = groupMetric(view.sort, shown);
  const grouped = useApi(
    grouping
      ? () => api.runGroups({ ...listFilter, by: view.group, metric, sort: view.sort, order: view.order, limit: GROUP_ROWS, columns: shown })
      : null,
    [filterKey, listFilter.where, grouping, view.group, metric, view.sort, view.order, shown.join(","), tick],
    { reset: true },
  );
  const queryError = listed.cause instanceof BadQuery ? listed.cause.error : null;
  const error = (queryError ? null : listed.error) ?? tabled.error ?? (grouping ? grouped.error : null);

  useEffect(() => {
    if (!autoRefresh) return;
    const id = setInterval(() => setTick((x) => x + 1), REFRESH_MS);
    return () => clearInterval(id);
  }, [autoRefresh]);

  const setChosen = (columns: string[]) => {
    rememberColumns(view.project, columns);
    update({ columns });
  };
  const setHidden = (hide: string[]) => {
    rememberHidden(view.project, hide);
    update({ hide });
  };
  const sortBy = (field: string) => update(nextSort(view, field, goalOf(field, columnInfo)));
  const configKeys = (columnInfo ?? []).filter((c) => c.name.startsWith("config.")).map((c) => c.name);
  const togglePick = (key: string) => setPicked((p) => (p.includes(key) ? p.filter((k) => k !== key) : [...p, key]));
  const rows = (list?.runs ?? []).filter((r) => !brushed || brushed.has(r.key));

  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">{t("runs.title")}</h1>
        <span class="muted" data-testid="runs-total">
          {list ? `${list.total.toLocaleString()} ${t("runs.total")}` : ""}
        </span>
        <div class="spacer" />
        <button class="primary" data-testid="compare-selected" disabled={picked.length < 2} onClick={() => navigate(compareHref(picked))}>
          {t("runs.compareSelected")} {picked.length ? `(${picked.length})` : ""}
        </button>
      </div>
      <div class="toolbar card">
        <QueryBox value={view.q} onApply={(q) => refilter({ q })} error={queryError} />
        <select data-testid="filter-project" value={view.project} onChange={(e) => refilter({ project: (e.target as HTMLSelectElement).value, columns: null, hide: null })}>
          <option value="">{t("runs.allProjects")}</option>
          {[...new Set([...projects, ...(view.project ? [view.project] : [])])].map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
        <input
          key={`name:${view.name}`}
          data-testid="filter-name"
          placeholder={t("runs.nameFilter")}
          defaultValue={view.name}
          onChange={(e) => refilter({ name: (e.target as HTMLInputElement).value.trim() })}
        />
        <select data-testid="filter-status" value={view.status} onChange={(e) => refilter({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">{t("runs.allStatuses")}</option>
          {STATUSES.map((s) => (
            <option value={s}>{t(`status.${s}` as MessageKey)}</option>
          ))}
        </select>
        {/* Keyed by the filter so that a click on a tag shows it here (and it can be cleared). */}
        <input
          key={`tag:${view.tag}`}
          type="search"
          data-testid="filter-tag"
          placeholder={t("runs.tagFilter")}
          defaultValue={view.tag}
          onChange={(e) => refilter({ tag: (e.target as HTMLInputElement).value.trim() })}
        />
        <ColumnChooser
          columns={columnInfo}
          error={columnError}
          chosen={chosen}
          setChosen={setChosen}
          hidden={hidden}
          setHidden={setHidden}
          differs={view.differs}
          setDiffers={(differs) => update({ differs })}
          onOpen={() => setWantColumns(true)}
        />
        <label class="check">
          <input type="checkbox" data-testid="auto-refresh" checked={autoRefresh} onChange={(e) => setAutoRefresh((e.target as HTMLInputElement).checked)} />
          {t("runs.autoRefresh")}
        </label>
      </div>
      <div class="tabs" role="tablist">
        {TABS.map((tab) => (
          <button role="tab" class={view.view === tab ? "active" : ""} data-testid={`view-${tab}`} onClick={() => update({ view: tab })}>
            {t(`research.${tab}` as MessageKey)}
          </button>
        ))}
      </div>
      {error && <div class="error" data-testid="error">{error}</div>}
      {view.view !== "table" && (
        <ResearchViews
          view={view}
          update={update}
          filter={filter}
          columnInfo={columnInfo}
          plotted={plotted}
          table={table}
          brushed={brushed}
          importance={{ data: ranked, error: importance.error }}
        />
      )}
      {view.view === "table" && (
        <>
          {brushed && table && (
            <div class="warn" data-testid="brush-note" data-count={brushed.size} data-total={table.total}>
              {brushed.size.toLocaleString()} / {table.total.toLocaleString()} {t("research.brushedOf")}{" "}
              <button class="mini" data-testid="brush-clear" onClick={() => update({ brushes: [] })}>
                {t("research.clearBrushes")}
              </button>
            </div>
          )}
          <div class="table-bar">
            <label class="slider">
              {t("table.groupBy")}
              <select
                data-testid="table-group-by"
                value={view.group}
                onFocus={() => setWantColumns(true)}
                onMouseDown={() => setWantColumns(true)}
                onChange={(e) => update({ group: (e.target as HTMLSelectElement).value })}
              >
                <option value="">–</option>
                {[...new Set(["tags", ...configKeys, ...(view.group ? [view.group] : [])])].map((k) => (
                  <option value={k}>{k}</option>
                ))}
              </select>
            </label>
          </div>
          <div class="card table-wrap">
            <RunsTable
              rows={rows}
              shown={shown}
              builtins={visibleBuiltins(hidden)}
              columnInfo={columnInfo}
              sort={view.sort}
              order={view.order}
              onSort={sortBy}
              picked={picked}
              togglePick={togglePick}
              onTag={(tag) => refilter({ tag })}
              grouped={
                grouping
                  ? {
                      by: view.group,
                      metric,
                      groups: grouped.data ? grouped.data.groups.map((g) => ({ ...g, runs: g.runs.filter((r) => !brushed || brushed.has(r.key)) })) : null,
                    }
                  : null
              }
            />
            {list && rows.length === 0 && !grouping && <p class="empty" data-testid="runs-empty">{t("runs.empty")}</p>}
          </div>
          {list && list.total > PAGE_SIZE && !grouping && (
            <div class="pager">
              <button disabled={view.offset === 0} data-testid="page-prev" onClick={() => update({ offset: Math.max(0, view.offset - PAGE_SIZE) })}>
                {t("runs.prev")}
              </button>
              <span class="muted">
                {view.offset + 1}–{Math.min(view.offset + PAGE_SIZE, list.total)} / {list.total}
              </span>
              <button disabled={view.offset + PAGE_SIZE >= list.total} data-testid="page-next" onClick={() => update({ offset: view.offset + PAGE_SIZE })}>
                {t("runs.next")}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
