// The Runs table's column chooser: a searchable list of every config and summary column of the
// listed runs (GET /api/runs/columns), and the "differs" toggle that keeps only the config keys
// whose value is not the same in every run.
import { useState } from "preact/hooks";
import { useApp } from "../app";
import { filterColumns, type ColumnInfo } from "../lib/columns";

export function ColumnChooser(props: {
  columns: ColumnInfo[] | null;
  error: string | null;
  chosen: string[];
  setChosen: (columns: string[]) => void;
  differs: boolean;
  setDiffers: (on: boolean) => void;
  onOpen: () => void;
}) {
  const { t } = useApp();
  const [search, setSearch] = useState("");
  const list = props.columns ? filterColumns(props.columns, search, props.differs) : [];
  const toggle = (name: string) =>
    props.setChosen(props.chosen.includes(name) ? props.chosen.filter((c) => c !== name) : [...props.chosen, name]);
  return (
    <>
      <details class="columns-picker" onToggle={(e) => (e.target as HTMLDetailsElement).open && props.onOpen()}>
        <summary data-testid="columns-picker">
          {t("runs.columns")}
          {props.chosen.length ? ` (${props.chosen.length})` : ""}
        </summary>
        <div class="menu">
          <input
            type="search"
            data-testid="columns-search"
            placeholder={t("columns.search")}
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
          {props.error && <span class="error small">{props.error}</span>}
          {!props.columns && !props.error && <span class="muted">{t("loading")}</span>}
          {props.columns && list.length === 0 && <span class="muted">–</span>}
          <div class="columns-list">
            {list.map((c) => (
              <label class="check" data-testid="column-option" data-key={c.name} data-differs={String(c.differs)}>
                <input type="checkbox" checked={props.chosen.includes(c.name)} onChange={() => toggle(c.name)} />
                <span class="mono small">{c.name}</span>
                <span class="muted small">
                  {c.type} · {c.distinct}
                </span>
              </label>
            ))}
          </div>
          {props.chosen.length > 0 && (
            <button class="mini" data-testid="columns-clear" onClick={() => props.setChosen([])}>
              {t("columns.clear")}
            </button>
          )}
        </div>
      </details>
      <label class="check" title={t("columns.differsHint")}>
        <input
          type="checkbox"
          data-testid="differs-toggle"
          checked={props.differs}
          onChange={(e) => props.setDiffers((e.target as HTMLInputElement).checked)}
        />
        {t("columns.differs")}
      </label>
    </>
  );
}
