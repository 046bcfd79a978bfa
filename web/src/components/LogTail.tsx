// The live log tail: streamed over the WebSocket, ANSI colours, search, follow mode, and virtual
// scrolling so 100k lines stay smooth (only the visible rows are in the DOM).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { useApp } from "../app";
import { parseAnsi, stripAnsi } from "../lib/ansi";
import { matchingLines, visibleRows } from "../lib/virtual";
import { SearchBox } from "./SearchBox";

const ROW_PX = 19;
const MAX_LINES = 500_000;

function AnsiLine({ text }: { text: string }) {
  const spans = parseAnsi(text);
  return (
    <>
      {spans.map((s, i) => (
        <span key={i} class={[s.fg && `fg-${s.fg}`, s.bg && `bg-${s.bg}`, s.bold && "b"].filter(Boolean).join(" ") || undefined}>
          {s.text}
        </span>
      ))}
    </>
  );
}

/** `live`: the run may still write (follow the file); an ended run's log is read once. */
export function LogTail({ runKey, live = true }: { runKey: string; live?: boolean }) {
  const { t } = useApp();
  const lines = useRef<string[]>([]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState("");
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    lines.current = [];
    let pending = false;
    const close = api.logStream(
      runKey,
      (batch) => {
        if (batch.restarted) lines.current = [];
        for (const l of batch.lines) lines.current.push(l);
        if (lines.current.length > MAX_LINES) lines.current.splice(0, lines.current.length - MAX_LINES);
        if (!pending) {
          pending = true;
          requestAnimationFrame(() => {
            pending = false;
            setVersion((v) => v + 1);
          });
        }
      },
      setError,
      live,
    );
    return close;
  }, [runKey, live]);

  useEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const shown = useMemo(() => matchingLines(lines.current, query, stripAnsi), [version, query]);
  const range = visibleRows(scrollTop, height, ROW_PX, shown.length);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, follow, height]);

  return (
    <div class="logtail card">
      <div class="toolbar">
        <SearchBox testid="log-search" placeholder={t("logs.search")} value={query} onInput={setQuery} />
        <label class="check">
          <input
            type="checkbox"
            data-testid="log-follow"
            checked={follow}
            onChange={(e) => setFollow((e.target as HTMLInputElement).checked)}
          />
          {t("logs.follow")}
        </label>
        <span class="muted" data-testid="log-count">
          {shown.length.toLocaleString()} / {lines.current.length.toLocaleString()} {t("logs.lines")}
        </span>
      </div>
      {error && <div class="error" data-testid="log-error">{error}</div>}
      <div
        ref={box}
        class="log-view"
        data-testid="log-view"
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          setScrollTop(el.scrollTop);
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_PX * 2;
          if (follow !== atBottom) setFollow(atBottom);
        }}
      >
        {shown.length === 0 && <div class="empty">{t("logs.empty")}</div>}
        <div style={{ height: `${shown.length * ROW_PX}px`, position: "relative" }}>
          <div style={{ transform: `translateY(${range.start * ROW_PX}px)` }}>
            {shown.slice(range.start, range.end).map((idx) => (
              <div class="log-line" key={idx} data-testid="log-line">
                <span class="ln">{idx + 1}</span>
                <AnsiLine text={lines.current[idx]} />
              </div>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
