// The Runs query box: `config.lr < 0.01 and tags contains "baseline"`, or plain words (a text
// search). Applied on Enter, or when typing pauses; the viewer's error is shown with a caret under
// the column it names. Examples in a help popover fill the box.
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../app";
import { QUERY_EXAMPLES, caretLine } from "../lib/query";

const PAUSE_MS = 400;

export interface QueryError {
  message: string;
  column: number | null;
  query: string;
}

export function QueryBox(props: { value: string; onApply: (q: string) => void; error: QueryError | null }) {
  const { t } = useApp();
  const [text, setText] = useState(props.value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => setText(props.value), [props.value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = (q: string) => {
    clearTimeout(timer.current);
    if (q.trim() !== props.value.trim()) props.onApply(q.trim());
  };
  const err = props.error;
  return (
    <div class="query-box">
      <div class="query-row">
        <input
          type="search"
          class="mono"
          data-testid="filter-search"
          placeholder={t("runs.search")}
          value={text}
          spellcheck={false}
          onInput={(e) => {
            const q = (e.target as HTMLInputElement).value;
            setText(q);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(q), PAUSE_MS);
          }}
          onKeyDown={(e) => e.key === "Enter" && apply((e.target as HTMLInputElement).value)}
        />
        <details class="query-help">
          <summary data-testid="query-help" title={t("query.help")}>?</summary>
          <div class="menu">
            <p class="small">{t("query.helpText")}</p>
            {QUERY_EXAMPLES.map((ex) => (
              <button
                class="linklike mono small"
                data-testid="query-example"
                onClick={(e) => {
                  setText(ex);
                  apply(ex);
                  (e.target as HTMLElement).closest("details")?.removeAttribute("open");
                }}
              >
                {ex}
              </button>
            ))}
          </div>
        </details>
      </div>
      {err && (
        <div class="error query-error" data-testid="query-error" data-column={err.column ?? ""}>
          <div>{err.message}</div>
          {err.column !== null && (
            <pre class="mono small">
              {err.query}
              {"\n"}
              <span data-testid="query-caret">{caretLine(err.query, err.column)}</span>
            </pre>
          )}
        </div>
      )}
    </div>
  );
}
