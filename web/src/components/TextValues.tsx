// The values a run logged that are not numbers (W&B's history keeps text, None and lists): one
// card per key with its values by step, newest last, a page at a time (the server reads a page of
// a long history, never all of it). Shown below the charts, which skip these values; asked for only
// once the place below the charts comes near the viewport, so that a run of many charts does not
// pay the server's first read of its events before the charts it shows first.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type TextValuePage } from "../api";
import { useApp } from "../app";
import { newerStart, olderStart, pageRange, valueText } from "../lib/textValues";
import { DataTable } from "./ListCard";
import { useApi } from "./useApi";

const PAGE_ROWS = 10;
const POLL_MS = 5000;
const NEAR_MARGIN_PX = 800;

function TextValueCard({ runKey, newest }: { runKey: string; newest: TextValuePage }) {
  const { t } = useApp();
  const [start, setStart] = useState<number | null>(null); // null: the newest page (follows a live run)
  const older = useApi(
    start === null ? null : () => api.textValues(runKey, { metric: newest.key, start, limit: PAGE_ROWS }).then((a) => a.keys[0]),
    [runKey, newest.key, start],
    { reset: true },
  );
  const page = start === null ? newest : (older.data ?? null);
  return (
    <div class="card text-values-card" data-testid={`text-values-${newest.key}`}>
      <h3 class="mono">
        {newest.key} <span class="muted small">({newest.count})</span>
      </h3>
      {older.error && <div class="error">{older.error}</div>}
      {page && (
        <>
          <DataTable headers={["run.step", "run.value"]}>
            {page.rows.map((r) => (
              <tr data-testid="text-value-row">
                <td class="mono" data-testid="text-value-step">{r.step ?? "–"}</td>
                <td class="mono text-value" data-testid="text-value">{valueText(r.value, r.cut)}</td>
              </tr>
            ))}
          </DataTable>
          <div class="toolbar">
            <button data-testid="text-values-older" disabled={page.start <= 0} onClick={() => setStart(olderStart(page.start, PAGE_ROWS) ?? 0)}>
              {t("run.older")}
            </button>
            <span class="muted small" data-testid="text-values-page">
              {pageRange(page.start, page.rows.length, start === null ? newest.count : page.count)}
            </span>
            <button data-testid="text-values-newer" disabled={start === null} onClick={() => setStart(newerStart(page.start, PAGE_ROWS, newest.count))}>
              {t("run.newer")}
            </button>
          </div>
        </>
      )}
    </div>
  );
}

/** Nothing for a run whose history holds numbers only. */
export function TextValues({ runKey, live }: { runKey: string; live: boolean }) {
  const { t } = useApp();
  const marker = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const el = marker.current;
    if (near || !el) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), {
      rootMargin: `${NEAR_MARGIN_PX}px 0px`,
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [near]);
  const { data } = useApi(near ? () => api.textValues(runKey, { limit: PAGE_ROWS }) : null, [runKey, live, near], {
    everyMs: live ? POLL_MS : undefined,
  });
  if (!data || data.keys.length === 0) return <div ref={marker} data-testid="text-values-marker" />;
  return (
    <section data-testid="text-values">
      <h2>{t("run.textValues")}</h2>
      <p class="muted small">{t("run.textValuesNote")}</p>
      <div class="chart-grid">
        {data.keys.map((k) => (
          <TextValueCard runKey={runKey} newest={k} key={k.key} />
        ))}
      </div>
    </section>
  );
}
