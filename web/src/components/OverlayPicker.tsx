// Picks runs to draw over a run's charts: the other runs of its experiment at hand, any run by search;
// each named by its label (the config keys that differ among the runs listed).
import { useEffect, useState } from "preact/hooks";
import { api, type RunRow } from "../api";
import { useApp } from "../app";
import { runLabel } from "../lib/format";
import { labelColumns } from "../lib/tablePrefs";
import { SearchBox } from "./SearchBox";
import { StatusBadge } from "./StatusBadge";
import { useApi } from "./useApi";

const SEARCH_DELAY_MS = 200;
const SEARCH_LIMIT = 20;

export function OverlayPicker(props: {
  run: RunRow;
  picked: string[];
  /** Rows of picked runs already known (for their labels), by key. */
  known: Record<string, RunRow>;
  onChange: (keys: string[]) => void;
}) {
  const { t } = useApp();
  const { run, picked, onChange } = props;
  // the project's chosen table columns: their config keys lead the runs' labels, as in the table
  const configColumns = labelColumns(run.project).filter((c) => c.startsWith("config."));
  const siblings =
    useApi(
      () => api.runs({ project: run.project, name: run.name, limit: 100, columns: configColumns }).then((l) => l.runs.filter((r) => r.key !== run.key)),
      [run.key],
    ).data ?? [];
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<RunRow[] | null>(null);
  const [extra, setExtra] = useState<RunRow[]>([]);

  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    let alive = true;
    const timer = setTimeout(() => {
      api.runs({ q, limit: SEARCH_LIMIT, columns: configColumns }).then(
        (l) => alive && setFound(l.runs.filter((r) => r.key !== run.key)),
        () => alive && setFound([]),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [query, run.key]);

  const toggle = (row: RunRow) => {
    if (!siblings.some((s) => s.key === row.key) && !extra.some((r) => r.key === row.key)) setExtra([...extra, row]);
    onChange(picked.includes(row.key) ? picked.filter((k) => k !== row.key) : [...picked, row.key]);
  };
  // Without a search: runs from elsewhere (picked now, or ticked here before), then this experiment's.
  const elsewhere = [...picked.map((k) => props.known[k]).filter(Boolean), ...extra].filter(
    (r, i, all) => !siblings.some((s) => s.key === r.key) && all.findIndex((o) => o.key === r.key) === i,
  );
  const rows = found ?? [...elsewhere, ...siblings];

  return (
    <details class="columns-picker overlay-picker">
      <summary data-testid="overlay-picker">
        {t("run.overlay")} {picked.length ? `(${picked.length})` : ""}
      </summary>
      <div class="menu">
        <SearchBox testid="overlay-search" placeholder={t("run.overlaySearch")} value={query} onInput={setQuery} />
        {rows.length === 0 && <span class="muted small">{found ? t("runs.empty") : t("run.overlayHint")}</span>}
        {rows.map((r) => (
          <label class="check" data-testid="overlay-run" data-key={r.key}>
            <input type="checkbox" checked={picked.includes(r.key)} onChange={() => toggle(r)} />
            <span class="small">{runLabel(r, run)}</span> <StatusBadge status={r.status} />
          </label>
        ))}
        {picked.length > 0 && (
          <button class="mini" data-testid="overlay-clear" onClick={() => onChange([])}>
            {t("run.overlayClear")}
          </button>
        )}
      </div>
    </details>
  );
}
