// The skeleton every list shares: the fetch's error, a note when there is nothing, else a table of
// rows under its column headers; and the "loading" stand-in of a view whose answer has not come.
import type { ComponentChildren } from "preact";
import { useApp } from "../app";
import type { MessageKey } from "../lib/i18n";

/** A column header: the message key of its label ("" for none), with a class (`num` right-aligns). */
export type Header = MessageKey | "" | { key: MessageKey; class: string };

/** The table of a list: headers, then the rows given as children. */
export function DataTable({ testid, headers, children }: { testid?: string; headers: Header[]; children: ComponentChildren }) {
  const { t } = useApp();
  return (
    <table class="runs" data-testid={testid}>
      <thead>
        <tr>
          {headers.map((h) => (typeof h === "string" ? <th>{h && t(h)}</th> : <th class={h.class}>{t(h.key)}</th>))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A fetched list in a card: its error, `empty` when it has no items, else the table of `rows`. */
export function ListCard<T>(props: {
  items: T[] | null;
  error: string | null;
  empty: ComponentChildren;
  emptyTestid: string;
  testid: string;
  headers: Header[];
  rows: (items: T[]) => ComponentChildren;
}) {
  const { items, error } = props;
  return (
    <>
      {error && <div class="error">{error}</div>}
      {items && items.length === 0 && (
        <div class="card empty" data-testid={props.emptyTestid}>
          {props.empty}
        </div>
      )}
      {items && items.length > 0 && (
        <div class="card table-wrap">
          <DataTable testid={props.testid} headers={props.headers}>
            {props.rows(items)}
          </DataTable>
        </div>
      )}
    </>
  );
}

/** What a view shows until its answer comes: the error, else "loading". */
export function Waiting({ error, testid }: { error: string | null; testid?: string }) {
  const { t } = useApp();
  if (error) return <div class="error" data-testid={testid}>{error}</div>;
  return <p class="muted">{t("loading")}</p>;
}

/** A page's heading row: the title, then anything beside it. */
export function PageHead({ title, children }: { title: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1 data-testid="page-title">{title}</h1>
      {children}
    </div>
  );
}
