// The Runs table: the run's name, then the chosen config and metric columns (they and the name
// stay in view while the table scrolls sideways, as long as they fit), then the built-in columns
// not hidden. A metric column's header says which way is better; grouped, the rows come under a
// foldable row per group with its run count and the metric's mean / min / max.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { RunGroup, RunRow } from "../api";
import { Link, useApp } from "../app";
import { columnValue, shortName, type ColumnInfo } from "../lib/columns";
import { columnFormatter, formatDuration, formatTime, formatValue } from "../lib/format";
import { runHref } from "../lib/route";
import { BUILTIN_SORT, goalOf, labelSaysMore, stickyOffsets, type BuiltinColumn } from "../lib/runsTable";
import { BUILTIN_LABELS } from "./ColumnChooser";
import { StatusBadge } from "./StatusBadge";
import "./RunsTable.css";

/** The part of the table's width the columns kept in view may take. */
const STICKY_SHARE = 0.8;

export interface RunsTableProps {
  rows: RunRow[];
  shown: string[];
  builtins: BuiltinColumn[];
  columnInfo: ColumnInfo[] | null;
  sort: string;
  order: "asc" | "desc";
  onSort: (field: string) => void;
  picked: string[];
  togglePick: (key: string) => void;
  onTag: (tag: string) => void;
  /** Grouped: the groups (null while loading), the field and the metric they aggregate. */
  grouped: { by: string; metric: string; groups: RunGroup[] | null } | null;
}

function groupKey(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function RunsTable(props: RunsTableProps) {
  const { t } = useApp();
  const table = useRef<HTMLTableElement>(null);
  const [folded, setFolded] = useState<Set<string>>(new Set());
  const { shown, builtins } = props;

  // The name and the chosen columns stay in view: their left offsets, measured once drawn (those
  // past STICKY_SHARE of the width scroll with the rest).
  useLayoutEffect(() => {
    const el = table.current;
    if (!el) return;
    const place = () => {
      const heads = [...el.querySelectorAll<HTMLElement>("thead th.sticky")];
      const room = (el.parentElement?.clientWidth ?? el.clientWidth) * STICKY_SHARE;
      stickyOffsets(heads.map((h) => h.getBoundingClientRect().width), room).forEach((left, i) => {
        el.style.setProperty(`--sticky-${i}`, left === null ? "auto" : `${left}px`);
        el.style.setProperty(`--sticky-pos-${i}`, left === null ? "static" : "sticky");
      });
    };
    place();
    window.addEventListener("resize", place);
    return () => window.removeEventListener("resize", place);
  });

  const sticky = (i: number) => ({ left: `var(--sticky-${i}, 0px)`, position: `var(--sticky-pos-${i}, sticky)` });
  const arrow = (field: string) => (props.sort === field ? (props.order === "asc" ? " ▲" : " ▼") : "");
  const sortable = (field: string) => ({
    "data-testid": `sort-${field}`,
    onClick: () => props.onSort(field),
  });
  const width = 2 + shown.length + builtins.length;

  const builtinCell = (r: RunRow, c: BuiltinColumn) => {
    switch (c) {
      case "project":
        return <td>{r.project}</td>;
      case "id":
        return <td class="mono small">{r.id}</td>;
      case "status":
        return (
          <td>
            <StatusBadge status={r.status} />
          </td>
        );
      case "tags":
        return (
          <td>
            {r.tags.map((tag) => (
              <span class="tag" data-testid="run-tag" onClick={() => props.onTag(tag)}>
                {tag}
              </span>
            ))}
          </td>
        );
      case "started":
        return <td class="small">{formatTime(r.created_at)}</td>;
      case "duration":
        return <td class="small">{formatDuration(r.duration_s)}</td>;
      case "host":
        return <td class="small">{r.hostname ?? "–"}</td>;
    }
  };

  // each chosen column writes its numbers one way over the rows shown (a learning rate column
  // spanning decades with exponents throughout)
  const listed = props.grouped ? (props.grouped.groups ?? []).flatMap((g) => g.runs) : props.rows;
  const formats = shown.map((c) => columnFormatter(listed.map((r) => columnValue(r, c))));

  const row = (r: RunRow) => (
    <tr data-testid="run-row" data-key={r.key} class={props.picked.includes(r.key) ? "picked" : ""}>
      <td class="pick sticky" style={sticky(0)}>
        <input type="checkbox" data-testid="run-pick" checked={props.picked.includes(r.key)} onChange={() => props.togglePick(r.key)} />
      </td>
      <td class="sticky run-name" style={sticky(1)} data-testid="cell-name">
        <Link href={runHref(r.key)} testid="run-link" class="strong">
          {r.name}
        </Link>
        {labelSaysMore(r.name, r.label, shown) && (
          <div class="muted small" data-testid="run-label">
            {r.label}
          </div>
        )}
      </td>
      {shown.map((c, i) => (
        <td class="num mono small sticky chosen" style={sticky(i + 2)} data-testid={`cell-${c}`}>
          {formats[i](columnValue(r, c))}
        </td>
      ))}
      {builtins.map((c) => builtinCell(r, c))}
    </tr>
  );

  const groupLabel = (by: string, value: unknown) => {
    if (value === null || value === undefined) return t("table.noGroup").replace("{key}", shortName(by));
    return by === "tags" ? formatValue(value) : `${shortName(by)}=${formatValue(value)}`;
  };

  const groupRows = (g: RunGroup, by: string, metric: string) => {
    const key = groupKey(g.value);
    const open = !folded.has(key);
    const toggle = () =>
      setFolded((old) => {
        const next = new Set(old);
        if (next.has(key)) next.delete(key);
        else next.add(key);
        return next;
      });
    return (
      <tbody data-testid="run-group" data-value={key}>
        <tr class="group-head" data-testid="group-head" aria-expanded={open}>
          <td class="pick sticky" style={sticky(0)}>
            <button class="mini" data-testid="group-fold" title={t("table.fold")} onClick={toggle}>
              {open ? "▾" : "▸"}
            </button>
          </td>
          <td class="sticky run-name" style={sticky(1)}>
            <span class="strong" data-testid="group-label">
              {groupLabel(by, g.value)}
            </span>
            <div class="muted small">
              <span data-testid="group-count">{g.count}</span> {t("runs.total")}
              {g.runs.length < g.count && ` · ${t("table.groupShown").replace("{shown}", String(g.runs.length)).replace("{count}", String(g.count))}`}
            </div>
          </td>
          {shown.map((c, i) => (
            <td class="num mono small sticky chosen" style={sticky(i + 2)}>
              {c === metric && g.mean !== null ? (
                <div class="group-stats" data-testid="group-stats">
                  <span>
                    {t("table.mean")} <b data-testid="group-mean">{formatValue(g.mean)}</b>
                  </span>
                  <span class="muted">
                    {t("table.min")} <span data-testid="group-min">{formatValue(g.min)}</span> · {t("table.max")}{" "}
                    <span data-testid="group-max">{formatValue(g.max)}</span>
                  </span>
                </div>
              ) : c === by ? (
                formatValue(g.value)
              ) : null}
            </td>
          ))}
          {builtins.length > 0 && <td colSpan={builtins.length} />}
        </tr>
        {open && g.runs.map(row)}
      </tbody>
    );
  };

  return (
    <table class="runs runs-main" data-testid="runs-table" ref={table}>
      <thead>
        <tr>
          <th class="pick sticky" style={sticky(0)} />
          <th class="sortable sticky run-name" style={sticky(1)} {...sortable("name")}>
            {t("runs.name")}
            {arrow("name")}
          </th>
          {shown.map((c, i) => {
            const goal = goalOf(c, props.columnInfo);
            const source = props.columnInfo?.find((x) => x.name === c)?.goal_from;
            return (
              <th
                {...sortable(c)}
                class={`sortable num sticky chosen ${c.startsWith("config.") ? "config-col" : "summary-col"}`}
                style={sticky(i + 2)}
                title={c}
              >
                {shortName(c)}
                {arrow(c)}
                {goal && (
                  <div class="goal" data-testid={`goal-${c}`} data-goal={goal} title={t(source === "define_metric" ? "table.goalDefined" : "table.goalByName")}>
                    {t(goal === "minimize" ? "table.lowerBetter" : "table.higherBetter")}
                  </div>
                )}
              </th>
            );
          })}
          {builtins.map((c) => {
            const field = BUILTIN_SORT[c];
            return field ? (
              <th class="sortable" {...sortable(field)} data-column={c}>
                {t(BUILTIN_LABELS[c])}
                {arrow(field)}
              </th>
            ) : (
              <th data-column={c}>{t(BUILTIN_LABELS[c])}</th>
            );
          })}
        </tr>
      </thead>
      {props.grouped ? (
        props.grouped.groups === null ? (
          <tbody>
            <tr>
              <td colSpan={width} class="muted">
                {t("loading")}
              </td>
            </tr>
          </tbody>
        ) : (
          props.grouped.groups.map((g) => groupRows(g, props.grouped!.by, props.grouped!.metric))
        )
      ) : (
        <tbody>{props.rows.map(row)}</tbody>
      )}
    </table>
  );
}
