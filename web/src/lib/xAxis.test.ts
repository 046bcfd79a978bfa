import { describe, expect, it } from "vitest";
import { chartedKeys, defaultX, definitionOf, xChoices } from "./xAxis";

describe("xAxis", () => {
  const defs = {
    "*": { step_metric: "train/global_step" },
    "val/*": { step_metric: "epoch" },
    "train.loss": { hidden: true },
  };

  it("a key takes its own definition, its dotted form, else the newest matching glob", () => {
    expect(definitionOf("train/loss", defs)).toEqual({ hidden: true });
    expect(definitionOf("val/acc", defs)?.step_metric).toBe("epoch");
    expect(definitionOf("lr", defs)?.step_metric).toBe("train/global_step");
    expect(definitionOf("lr", undefined)).toBeUndefined();
  });

  it("the default x is the step_metric most keys are defined against, when it was logged", () => {
    const keys = ["train/global_step", "lr", "grad_norm", "val/acc", "epoch"];
    expect(defaultX(keys, defs)).toBe("train/global_step");
    expect(defaultX(["val/acc", "val/loss", "epoch"], { "val/*": { step_metric: "epoch" } })).toBe("epoch");
    expect(defaultX(["val/acc"], { "val/*": { step_metric: "epoch" } })).toBe("step");
    expect(defaultX(["loss"], undefined)).toBe("step");
  });

  it("offers step, time, elapsed and every metric; a metric is not charted against itself", () => {
    expect(xChoices(["epoch", "loss"])).toEqual(["step", "time", "elapsed", "epoch", "loss"]);
    expect(chartedKeys(["epoch", "loss"], "epoch")).toEqual(["loss"]);
  });
});
