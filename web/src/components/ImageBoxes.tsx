// The bounding boxes stored beside a wandb.Image (tables `<key>/boxes/<name>`), drawn over the
// image in SVG, in the image's own pixels (lib/imageBoxes.ts).
import { api, type TableInfo } from "../api";
import { boxesOf } from "../lib/imageBoxes";
import { useApi } from "./useApi";

const COLORS = ["#e15759", "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7"];

function BoxSet({ runKey, table, width, height }: { runKey: string; table: TableInfo; width: number; height: number }) {
  const { data: page } = useApi(() => api.tableRows(runKey, { path: table.path, offset: 0, limit: 1000 }), [runKey, table.path]);
  if (!page) return null;
  return (
    <>
      {boxesOf(page.columns, page.rows, width, height).map((b) => (
        <rect
          data-testid="media-box"
          x={b.x}
          y={b.y}
          width={b.width}
          height={b.height}
          fill="none"
          stroke={COLORS[Math.abs(b.classId) % COLORS.length]}
          stroke-width={Math.max(1, Math.min(width, height) / 100)}
          vector-effect="non-scaling-stroke"
        >
          <title>{b.label}</title>
        </rect>
      ))}
    </>
  );
}

export function ImageBoxes(props: { runKey: string; tables: TableInfo[]; width: number; height: number }) {
  return (
    <svg class="media-boxes" viewBox={`0 0 ${props.width} ${props.height}`} preserveAspectRatio="none" aria-hidden="true">
      {props.tables.map((table) => (
        <BoxSet runKey={props.runKey} table={table} width={props.width} height={props.height} />
      ))}
    </svg>
  );
}
