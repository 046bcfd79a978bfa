// Runs: filter, search, sort and page through runs; pick some to compare.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type RunList, type RunQuery } from "../api";
import { Link, useApp } from "../app";
import { SearchBox } from "../components/SearchBox";
import { StatusBadge } from "../components/StatusBadge";
import { formatDuration, formatTime, formatValue } from "../lib/format";
import type { MessageKey } from "../lib/i18n";
import { compareHref, runHref } from "../lib/route";

const PAGE_SIZE = 50;
const REFRESH_MS = 5000;
const STATUSES = ["running", "finished", "failed", "interrupted", "crashed"];
const COLUMNS_KEY = "runicorn.summaryColumns";

export function RunsPage() {
  const { t, navigate } = useApp();
  const [projects, setProjects] = useState<string[]>([]);
  const [query, setQuery] = useState<RunQuery>({ sort: "created", order: "desc", offset: 0 });
  const [list, setList] = useState<RunList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [tick, setTick] = useState(0);
  const [picked, setPicked] = useState<string[]>([]);
  const [columns, setColumns] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "[]");
    } catch {
      return [];
    }
  });

  useEffect(() => {
    api.projects().then((p) => setProjects(p.projects.map((x) => x.name)), () => undefined);
  }, [tick]);

  useEffect(() => {
    let live = true;
    api.runs({ ...query, limit: PAGE_SIZE }).then(
      (l) => live && (setList(l), setError(null)),
      (e) => live && setError(String(e.message ?? e)),
    );
    return () => {
      live = false;
    };
  }, [query, tick]);

  useEffect(() => {
    if (!autoRefresh) return;
    const id = setInterval(() => setTick((x) => x + 1), REFRESH_MS);
    return () => clearInterval(id);
  }, [autoRefresh]);

  useEffect(() => localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns)), [columns]);

  const summaryKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of list?.runs ?? []) for (const k of Object.keys(r.summary ?? {})) keys.add(k);
    return [...keys].sort();
  }, [list]);

  const set = (patch: Partial<RunQuery>) => setQuery((q) => ({ ...q, ...patch, offset: patch.offset ?? 0 }));
  const sortBy = (field: string) =>
    set({ sort: field, order: query.sort === field && query.order === "desc" ? "asc" : "desc", offset: query.offset });
  const arrow = (field: string) => (query.sort === field ? (query.order === "asc" ? " ▲" : " ▼") : "");
  const th = (field: string | null, label: MessageKey) =>
    field ? (
      <th class="sortable" data-testid={`sort-${field}`} onClick={() => sortBy(field)}>
        {t(label)}
        {arrow(field)}
      </th>
    ) : (
      <th>{t(label)}</th>
    );
  const togglePick = (key: string) => setPicked((p) => (p.includes(key) ? p.filter((k) => k !== key) : [...p, key]));
  const offset = query.offset ?? 0;

  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">{t("runs.title")}</h1>
        <span class="muted" data-testid="runs-total">
          {list ? `${list.total.toLocaleString()} ${t("runs.total")}` : ""}
        </span>
        <div class="spacer" />
        <button
          class="primary"
          data-testid="compare-selected"
          disabled={picked.length < 2}
          onClick={() => navigate(compareHref(picked))}
        >
          {t("runs.compareSelected")} {picked.length ? `(${picked.length})` : ""}
        </button>
      </div>
      <div class="toolbar card">
        <SearchBox testid="filter-search" placeholder={t("runs.search")} onInput={(q) => set({ q })} />
        <select data-testid="filter-project" onChange={(e) => set({ project: (e.target as HTMLSelectElement).value })}>
          <option value="">{t("runs.allProjects")}</option>
          {projects.map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
        <input
          key={`name:${query.name ?? ""}`}
          data-testid="filter-name"
          placeholder={t("runs.nameFilter")}
          defaultValue={query.name ?? ""}
          onChange={(e) => set({ name: (e.target as HTMLInputElement).value.trim() })}
        />
        <select data-testid="filter-status" onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">{t("runs.allStatuses")}</option>
          {STATUSES.map((s) => (
            <option value={s}>{t(`status.${s}` as MessageKey)}</option>
          ))}
        </select>
        {/* Keyed by the filter so that a click on a tag shows it here (and it can be cleared). */}
        <input
          key={`tag:${query.tag ?? ""}`}
          type="search"
          data-testid="filter-tag"
          placeholder={t("runs.tagFilter")}
          defaultValue={query.tag ?? ""}
          onChange={(e) => set({ tag: (e.target as HTMLInputElement).value.trim() })}
        />
        <details class="columns-picker">
          <summary data-testid="columns-picker">{t("runs.columns")}</summary>
          <div class="menu">
            {summaryKeys.length === 0 && <span class="muted">–</span>}
            {summaryKeys.map((k) => (
              <label class="check" data-testid="summary-column" data-key={k}>
                <input
                  type="checkbox"
                  checked={columns.includes(k)}
                  onChange={() => setColumns((c) => (c.includes(k) ? c.filter((x) => x !== k) : [...c, k]))}
                />
                {k}
              </label>
            ))}
          </div>
        </details>
        <label class="check">
          <input
            type="checkbox"
            data-testid="auto-refresh"
            checked={autoRefresh}
            onChange={(e) => setAutoRefresh((e.target as HTMLInputElement).checked)}
          />
          {t("runs.autoRefresh")}
        </label>
      </div>
      {error && <div class="error" data-testid="error">{error}</div>}
      <div class="card table-wrap">
        <table class="runs" data-testid="runs-table">
          <thead>
            <tr>
              <th class="pick" />
              {th("project", "runs.project")}
              {th("name", "runs.name")}
              {th(null, "runs.id")}
              {th("status", "runs.status")}
              {th(null, "runs.tags")}
              {th("created", "runs.start")}
              {th("duration", "runs.duration")}
              {th(null, "runs.host")}
              {columns.map((c) => (
                <th class="sortable num" data-testid={`sort-summary.${c}`} onClick={() => sortBy(`summary.${c}`)}>
                  {c}
                  {arrow(`summary.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list?.runs.map((r) => (
              <tr data-testid="run-row" data-key={r.key} class={picked.includes(r.key) ? "picked" : ""}>
                <td class="pick">
                  <input
                    type="checkbox"
                    data-testid="run-pick"
                    checked={picked.includes(r.key)}
                    onChange={() => togglePick(r.key)}
                  />
                </td>
                <td>{r.project}</td>
                <td>
                  <Link href={runHref(r.key)} testid="run-link" class="strong">
                    {r.name}
                  </Link>
                </td>
                <td class="mono small">{r.id}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {r.tags.map((tag) => (
                    <span class="tag" data-testid="run-tag" onClick={() => set({ tag })}>
                      {tag}
                    </span>
                  ))}
                </td>
                <td class="small">{formatTime(r.created_at)}</td>
                <td class="small">{formatDuration(r.duration_s)}</td>
                <td class="small">{r.hostname ?? "–"}</td>
                {columns.map((c) => (
                  <td class="num mono small" data-testid={`summary-${c}`}>{formatValue(r.summary?.[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {list && list.runs.length === 0 && <p class="empty" data-testid="runs-empty">{t("runs.empty")}</p>}
      </div>
      {list && list.total > PAGE_SIZE && (
        <div class="pager">
          <button disabled={offset === 0} data-testid="page-prev" onClick={() => set({ offset: Math.max(0, offset - PAGE_SIZE) })}>
            {t("runs.prev")}
          </button>
          <span class="muted">
            {offset + 1}–{Math.min(offset + PAGE_SIZE, list.total)} / {list.total}
          </span>
          <button
            disabled={offset + PAGE_SIZE >= list.total}
            data-testid="page-next"
            onClick={() => set({ offset: offset + PAGE_SIZE })}
          >
            {t("runs.next")}
          </button>
        </div>
      )}
    </section>
  );
}
