// The Runs table's column chooser: the built-in columns (each can be hidden), then a searchable
// list of every config and metric (summary) column of the listed runs (GET /api/runs/columns;
// there can be thousands, so at most MAX_OPTIONS are drawn until a search narrows them), and the
// "differs" toggle that keeps only the config keys whose value is not the same in every run.
import { useState } from "preact/hooks";
import { useApp } from "../app";
import { filterColumns, type ColumnInfo } from "../lib/columns";
import type { MessageKey } from "../lib/i18n";
import { BUILTIN_COLUMNS } from "../lib/runsTable";

const MAX_OPTIONS = 300;

/** The label of each built-in column. */
export const BUILTIN_LABELS: Record<(typeof BUILTIN_COLUMNS)[number], MessageKey> = {
  project: "runs.project",
  id: "runs.id",
  status: "runs.status",
  tags: "runs.tags",
  started: "runs.start",
  duration: "runs.duration",
  host: "runs.host",
};

function Option(props: { column: ColumnInfo; checked: boolean; toggle: () => void }) {
  const c = props.column;
  return (
    <label class="check" data-testid="column-option" data-key={c.name} data-differs={String(c.differs)}>
      <input type="checkbox" checked={props.checked} onChange={props.toggle} />
      <span class="mono small">{c.name}</span>
      <span class="muted small">
        {c.type} · {c.distinct}
      </span>
    </label>
  );
}

export function ColumnChooser(props: {
  columns: ColumnInfo[] | null;
  error: string | null;
  chosen: string[];
  setChosen: (columns: string[]) => void;
  hidden: string[];
  setHidden: (hidden: string[]) => void;
  differs: boolean;
  setDiffers: (on: boolean) => void;
  onOpen: () => void;
}) {
  const { t } = useApp();
  const [search, setSearch] = useState("");
  const found = props.columns ? filterColumns(props.columns, search, props.differs) : [];
  // the chosen ones first, so that they can be taken off without a search
  const list = [...found.filter((c) => props.chosen.includes(c.name)), ...found.filter((c) => !props.chosen.includes(c.name))];
  const drawn = list.slice(0, MAX_OPTIONS);
  const config = drawn.filter((c) => c.name.startsWith("config."));
  const metrics = drawn.filter((c) => !c.name.startsWith("config."));
  const toggle = (name: string) =>
    props.setChosen(props.chosen.includes(name) ? props.chosen.filter((c) => c !== name) : [...props.chosen, name]);
  const toggleBuiltin = (name: string) =>
    props.setHidden(props.hidden.includes(name) ? props.hidden.filter((c) => c !== name) : [...props.hidden, name]);
  const option = (c: ColumnInfo) => <Option column={c} checked={props.chosen.includes(c.name)} toggle={() => toggle(c.name)} />;
  return (
    <>
      <details class="columns-picker" onToggle={(e) => (e.target as HTMLDetailsElement).open && props.onOpen()}>
        <summary data-testid="columns-picker">
          {t("runs.columns")}
          {props.chosen.length ? ` (${props.chosen.length})` : ""}
        </summary>
        <div class="menu">
          <div class="columns-section muted small">{t("columns.builtin")}</div>
          <div class="columns-builtin">
            {BUILTIN_COLUMNS.map((name) => (
              <label class="check" data-testid="builtin-option" data-key={name}>
                <input type="checkbox" checked={!props.hidden.includes(name)} onChange={() => toggleBuiltin(name)} />
                {t(BUILTIN_LABELS[name])}
              </label>
            ))}
          </div>
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
            {config.length > 0 && <div class="columns-section muted small">{t("columns.config")}</div>}
            {config.map(option)}
            {metrics.length > 0 && <div class="columns-section muted small">{t("columns.metrics")}</div>}
            {metrics.map(option)}
            {list.length > drawn.length && (
              <span class="muted small" data-testid="columns-more">
                +{list.length - drawn.length} {t("columns.more")}
              </span>
            )}
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
