// The x-axis toggle (step / wall time), on the run page also a choice of any logged metric as x
// (`choices`), and the smoothing slider, shared by the Run and Compare pages.
import { useMemo } from "preact/hooks";
import { useApp } from "../app";

export type XAxis = "step" | "time";

export function ChartControls<X extends string = XAxis>(props: {
  x: X;
  setX: (x: X) => void;
  smoothing: number;
  setSmoothing: (value: number) => void;
  choices?: X[];
}) {
  const { t } = useApp();
  const { x, setX, smoothing, setSmoothing } = props;
  // the same elements while the choices stay the same: a run of 1,500 metrics offers 1,500
  const options = useMemo(() => props.choices?.map((c) => <option value={c}>{c}</option>), [props.choices]);
  return (
    <>
      {props.choices && (
        <label class="slider">
          {t("run.xAxis")}
          <select data-testid="x-select" value={x} onChange={(e) => setX((e.target as HTMLSelectElement).value as X)}>
            {options}
          </select>
        </label>
      )}
      <div class="seg" data-testid="x-toggle">
        <button class={x === "step" ? "active" : ""} data-testid="x-step" onClick={() => setX("step" as X)}>
          {t("run.xStep")}
        </button>
        <button class={x === "time" ? "active" : ""} data-testid="x-time" onClick={() => setX("time" as X)}>
          {t("run.xTime")}
        </button>
      </div>
      <SmoothingSlider testid="smoothing" value={smoothing} onChange={setSmoothing} />
    </>
  );
}

/** The smoothing weight (0 - 0.99) of an exponential moving average over the lines drawn. */
export function SmoothingSlider(props: { testid: string; value: number; onChange: (v: number) => void }) {
  const { t } = useApp();
  return (
    <label class="slider">
      {t("run.smoothing")}
      <input
        type="range"
        min="0"
        max="0.99"
        step="0.01"
        value={props.value}
        data-testid={props.testid}
        onInput={(e) => props.onChange(Number((e.target as HTMLInputElement).value))}
      />
      <span class="mono small">{props.value.toFixed(2)}</span>
    </label>
  );
}
