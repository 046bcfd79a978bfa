"""Writes W&B offline runs with the REAL wandb package (run in the side venv ``.venv-wandb``,
never with Runicorn importable): ``python wandb_offline_runs.py KIND`` in a folder, with
``WANDB_MODE=offline`` and ``WANDB_DIR`` set. KIND is ``full`` (a run of every kind of value),
``crash`` (define_metric, then an uncaught exception after some steps) or ``long STEPS KEYS`` (a bench's run).

The tests (tests/integration/test_wandb_import.py) read these runs back after
``runicorn import``; the values here are the ones they expect."""

import sys

import numpy as np
import wandb

STEPS = 300


def full() -> None:
    run = wandb.init(
        project="vision",
        name="resnet lr=0.1",
        group="sweep-a",
        job_type="train",
        config={"lr": 0.1, "model": {"depth": 18, "act": "relu"}, "seeds": [1, 2]},
        tags=["baseline", "gpu"],
        notes="first try",
    )
    for i in range(STEPS):
        wandb.log(
            {
                "loss": 1.0 / (i + 1),
                "val": {"acc": i / STEPS, "deep": {"x": i}},
                "phase": "train" if i % 2 else "eval",
                "ok": i % 3 == 0,
                "lrs": [0.1 / (i + 1), 0.01],
                "note": None,
            }
        )
    pixels = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3
    wandb.log({"samples": wandb.Image(pixels, caption="grad"), "loss": 0.001})
    wandb.log({"preds": wandb.Table(columns=["id", "label"], data=[[1, "cat"], [2, "dog"]])})
    wandb.log({"weights": wandb.Histogram(np_histogram=([1, 2, 3], [0.0, 1.0, 2.0, 3.0]))})
    wandb.log({"pair": [wandb.Image(pixels), wandb.Image(pixels[::-1].copy())]})
    with open("notes.txt", "w") as f:
        f.write("saved by wandb.save\n")
    wandb.save("notes.txt", policy="now")
    print("hello from the console")
    print("progress 50%\rprogress 100%")
    run.summary["best_acc"] = 0.93
    run.summary["loss"] = 0.0005
    run.config.update({"batch": 64})
    wandb.finish()


def crash() -> None:
    wandb.init(project="vision", name="crashing", config={"lr": 1.0})
    wandb.define_metric("epoch")
    wandb.define_metric("loss", step_metric="epoch", summary="min")
    for i in range(10):
        wandb.log({"loss": float(i), "epoch": i})
    raise RuntimeError("diverged")


def long(steps: int, keys: int) -> None:
    wandb.init(project="bench", name="long")
    names = [f"metric_{k}" for k in range(keys)]
    for i in range(steps):
        wandb.log({name: i * 0.5 + k for k, name in enumerate(names)})
    wandb.finish()


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "full":
        full()
    elif kind == "crash":
        crash()
    else:
        long(int(sys.argv[2]), int(sys.argv[3]))
