// Tables logged with log_table (wandb.Table): one table at a time, paged and sorted by the server.
import { useState } from "preact/hooks";
import { api, type TableInfo } from "../api";
import { useApp } from "../app";
import { Waiting } from "./ListCard";
import { TableChart } from "./TableChart";
import { useApi } from "./useApi";

const PAGE_ROWS = 20;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** A cell that is an image file of the run ({"_type": "image-file", "path": "media/..."}). */
function imagePath(v: unknown): string | null {
  if (v === null || typeof v !== "object") return null;
  const cell = v as { _type?: unknown; path?: unknown };
  return cell._type === "image-file" && typeof cell.path === "string" ? cell.path : null;
}

function Cell({ runKey, value }: { runKey: string; value: unknown }) {
  const image = imagePath(value);
  if (image !== null) {
    return (
      <td>
        <img class="table-cell-image" data-testid="table-cell-image" src={api.mediaUrl(runKey, image)} alt={image} loading="lazy" />
      </td>
    );
  }
  return <td class="mono">{cellText(value)}</td>;
}

function TableView({ runKey, table }: { runKey: string; table: TableInfo }) {
  const { t } = useApp();
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState<{ column: string; desc: boolean } | null>(null);
  const { data: page, error } = useApi(
    () => api.tableRows(runKey, { path: table.path, offset, limit: PAGE_ROWS, sort: sort?.column, desc: sort?.desc }),
    [runKey, table.path, offset, sort?.column, sort?.desc],
  );
  const sortBy = (column: string) => {
    setSort(sort?.column === column ? { column, desc: !sort.desc } : { column, desc: false });
    setOffset(0);
  };
  if (error || !page) return <Waiting error={error} />;
  const last = Math.min(page.offset + page.rows.length, page.total);
  return (
    <>
    {page.chart && <TableChart runKey={runKey} path={table.path} spec={page.chart} />}
    <div class="card table-card" data-testid="table-view">
      <div class="table-scroll">
        <table class="runs-table">
          <thead>
            <tr>
              {page.columns.map((c) => (
                <th>
                  <button class="linklike" data-testid={`table-header-${c}`} onClick={() => sortBy(c)}>
                    {c}
                    {sort?.column === c ? (sort.desc ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr data-testid="table-row">
                {row.map((v) => (
                  <Cell runKey={runKey} value={v} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="toolbar">
        <button data-testid="table-prev" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_ROWS))}>
          {t("run.prev")}
        </button>
        <span class="muted small" data-testid="table-page">
          {page.total === 0 ? 0 : page.offset + 1}–{last} / {page.total} {t("run.rows")}
        </span>
        <button data-testid="table-next" disabled={last >= page.total} onClick={() => setOffset(offset + PAGE_ROWS)}>
          {t("run.next")}
        </button>
      </div>
    </div>
    </>
  );
}

export function Tables({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const { data: tables, error } = useApi(() => api.tables(runKey).then((r) => r.tables), [runKey]);
  const [picked, setPicked] = useState<string | null>(null);
  if (error || !tables) return <Waiting error={error} />;
  if (tables.length === 0) return <p class="empty" data-testid="no-tables">{t("run.noTables")}</p>;
  const table = tables.find((x) => x.path === picked) ?? tables[tables.length - 1];
  return (
    <div>
      {tables.length > 1 && (
        <select
          data-testid="table-pick"
          value={table.path}
          onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}
        >
          {tables.map((x) => (
            <option value={x.path}>
              {x.key} · {t("run.step")} {x.step} · {x.rows} {t("run.rows")}
            </option>
          ))}
        </select>
      )}
      <TableView runKey={runKey} table={table} />
    </div>
  );
}
