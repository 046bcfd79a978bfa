// The x-axis toggle (step / wall time) and the smoothing slider, shared by the Run and Compare pages.
import { useApp } from "../app";

export type XAxis = "step" | "time";

export function ChartControls(props: {
  x: XAxis;
  setX: (x: XAxis) => void;
  smoothing: number;
  setSmoothing: (value: number) => void;
}) {
  const { t } = useApp();
  const { x, setX, smoothing, setSmoothing } = props;
  return (
    <>
      <div class="seg" data-testid="x-toggle">
        <button class={x === "step" ? "active" : ""} data-testid="x-step" onClick={() => setX("step")}>
          {t("run.xStep")}
        </button>
        <button class={x === "time" ? "active" : ""} data-testid="x-time" onClick={() => setX("time")}>
          {t("run.xTime")}
        </button>
      </div>
      <label class="slider">
        {t("run.smoothing")}
        <input
          type="range"
          min="0"
          max="0.99"
          step="0.01"
          value={smoothing}
          data-testid="smoothing"
          onInput={(e) => setSmoothing(Number((e.target as HTMLInputElement).value))}
        />
        <span class="mono small">{smoothing.toFixed(2)}</span>
      </label>
    </>
  );
}
