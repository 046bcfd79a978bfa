// A board of charts the user arranges: move a chart up or down (buttons) or drag it to another
// place, pick a size or drag its corner, open one full screen (Esc closes). The layout is kept per
// project in the browser (lib/chartLayout.ts).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../app";
import {
  DEFAULT_SIZE,
  SIZES,
  layoutStorageKey,
  moveBy,
  moveTo,
  parseLayout,
  sizeFromDrag,
  type ChartLayout,
  type ChartSize,
} from "../lib/chartLayout";

function readLayout(project: string): ChartLayout {
  try {
    return parseLayout(localStorage.getItem(layoutStorageKey(project)));
  } catch {
    return { order: [], sizes: {} };
  }
}

function writeLayout(project: string, layout: ChartLayout): void {
  try {
    localStorage.setItem(layoutStorageKey(project), JSON.stringify(layout));
  } catch {
    /* private mode: the layout lasts for this page only */
  }
}

/** The remembered order of a project's charts (for a page choosing which charts to show). */
export function rememberedCharts(project: string): string[] {
  return readLayout(project).order;
}

export function rememberCharts(project: string, order: string[]): void {
  writeLayout(project, { ...readLayout(project), order });
}

export function ChartBoard(props: {
  project: string;
  /** The charts shown, in order. */
  keys: string[];
  /** A new order (kept by the page: in the URL and the remembered layout). */
  onReorder: (keys: string[]) => void;
  render: (key: string, height: number) => ComponentChildren;
  testid?: string;
}) {
  const { t } = useApp();
  const [sizes, setSizes] = useState<Record<string, ChartSize>>(() => readLayout(props.project).sizes);
  const [full, setFull] = useState<string | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => setSizes(readLayout(props.project).sizes), [props.project]);
  useEffect(() => {
    if (!full) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setFull(null);
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [full]);

  const sizeOf = (key: string) => sizes[key] ?? DEFAULT_SIZE;
  const resize = (key: string, size: ChartSize) => {
    const next = { ...sizes, [key]: size };
    setSizes(next);
    writeLayout(props.project, { ...readLayout(props.project), sizes: next });
  };
  const reorder = (keys: string[]) => {
    rememberCharts(props.project, keys);
    props.onReorder(keys);
  };
  const startResize = (key: string, e: MouseEvent) => {
    e.preventDefault();
    const card = (e.target as HTMLElement).closest<HTMLElement>(".board-card");
    if (!card || !grid.current) return;
    const start = sizeOf(key);
    const width = card.getBoundingClientRect().width;
    const columnPx = width / start.span + 14 / start.span; // a column and its share of the gap
    const x0 = e.clientX;
    const y0 = e.clientY;
    let last = start;
    const move = (ev: MouseEvent) => {
      last = sizeFromDrag(start, ev.clientX - x0, ev.clientY - y0, width, columnPx);
      card.style.gridColumn = `span ${last.span}`;
      card.style.setProperty("--drag-height", `${last.height}px`);
    };
    const up = () => {
      removeEventListener("mousemove", move);
      removeEventListener("mouseup", up);
      resize(key, last);
    };
    addEventListener("mousemove", move);
    addEventListener("mouseup", up);
  };

  return (
    <div class="board" data-testid={props.testid ?? "chart-board"}>
      <div class="board-grid" ref={grid}>
        {props.keys.map((key, i) => {
          const size = sizeOf(key);
          return (
            <div
              class={`board-card${dragging === key ? " dragging" : ""}`}
              data-testid="board-chart"
              data-key={key}
              data-span={size.span}
              data-height={size.height}
              style={{ gridColumn: `span ${size.span}` }}
              onDragOver={(e) => dragging && e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragging) reorder(moveTo(props.keys, props.keys.indexOf(dragging), i));
                setDragging(null);
              }}
            >
              <div class="board-tools">
                <span
                  class="drag-handle"
                  draggable
                  title={t("board.drag")}
                  data-testid="chart-drag"
                  onDragStart={(e) => {
                    e.dataTransfer?.setData("text/plain", key);
                    setDragging(key);
                  }}
                  onDragEnd={() => setDragging(null)}
                >
                  ⠿
                </span>
                <button class="mini" data-testid="chart-up" disabled={i === 0} title={t("board.up")} onClick={() => reorder(moveBy(props.keys, key, -1))}>
                  ↑
                </button>
                <button
                  class="mini"
                  data-testid="chart-down"
                  disabled={i === props.keys.length - 1}
                  title={t("board.down")}
                  onClick={() => reorder(moveBy(props.keys, key, 1))}
                >
                  ↓
                </button>
                <select
                  class="mini"
                  data-testid="chart-size"
                  title={t("board.size")}
                  value={Object.entries(SIZES).find(([, s]) => s.span === size.span && s.height === size.height)?.[0] ?? ""}
                  onChange={(e) => {
                    const s = SIZES[(e.target as HTMLSelectElement).value as keyof typeof SIZES];
                    if (s) resize(key, s);
                  }}
                >
                  <option value="">–</option>
                  <option value="s">S</option>
                  <option value="m">M</option>
                  <option value="l">L</option>
                </select>
                <button class="mini" data-testid="chart-fullscreen" title={t("board.fullscreen")} onClick={() => setFull(key)}>
                  ⛶
                </button>
              </div>
              {props.render(key, size.height)}
              <span class="resize-corner" data-testid="chart-resize" title={t("board.resize")} onMouseDown={(e) => startResize(key, e)} />
            </div>
          );
        })}
      </div>
      {full && (
        <div class="fullscreen" data-testid="fullscreen" data-key={full} onClick={(e) => e.target === e.currentTarget && setFull(null)}>
          <div class="fullscreen-body card">
            <button class="mini fullscreen-close" data-testid="fullscreen-close" onClick={() => setFull(null)}>
              {t("board.close")}
            </button>
            {props.render(full, Math.max(300, innerHeight - 160))}
          </div>
        </div>
      )}
    </div>
  );
}
