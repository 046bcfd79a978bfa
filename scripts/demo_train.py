"""A realistic demo run: a small fake training loop with stages, a config, text, an image.

    python scripts/demo_train.py [--storage .runicorn] [--epochs 8] [--steps-per-epoch 250] [--delay 0]

Writes through the real SDK (`make demo` runs it, then starts the viewer), then prints where the
run is and what files it holds. ``--delay 0.05`` trains slowly, so that a viewer opened beside it
shows the charts and the log tail move.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runicorn as rn  # noqa: E402


def sample_image(epoch: int) -> object | None:
    """A small gradient image that changes with the epoch (None when numpy/Pillow are missing)."""
    try:
        import numpy as np
    except ImportError:
        return None
    y, x = np.mgrid[0:64, 0:64] / 63.0
    return np.stack([x, y, np.full_like(x, (epoch % 8) / 7.0)], axis=-1)


def accuracy(progress: float, noise: float) -> float:
    """A plausible accuracy after ``progress`` (0..1) of the training: from 10 % (chance on ten
    classes) towards 92 %, always within 0..1."""
    return min(1.0, max(0.0, 0.1 + 0.82 * (1 - math.exp(-4 * progress)) + noise))


def train(storage: Path, epochs: int, steps_per_epoch: int, delay_s: float) -> rn.Run:
    rng = random.Random(0)
    config = {"lr": 3e-4, "batch_size": 64, "epochs": epochs, "model": "resnet18", "optimizer": "adamw"}
    run = rn.init(
        project="demo",
        name="cifar10-resnet",
        storage=storage,
        config=config,
        tags=["demo", "baseline"],
        notes="A fake training loop written by scripts/demo_train.py",
    )
    step = 0
    quarter = max(1, steps_per_epoch // 4)
    for epoch in range(1, epochs + 1):
        # one stream (stdout), flushed line by line: the console lines reach logs.txt in order
        print(f"epoch {epoch}/{epochs}", flush=True)
        for i in range(steps_per_epoch):
            step += 1
            progress = step / (epochs * steps_per_epoch)
            loss = 2.3 * math.exp(-3 * progress) + 0.05 * rng.random()
            spike = rng.random() < 0.01
            if spike:
                loss *= 3  # a spike, as real runs have
            lr = config["lr"] * 0.5 * (1 + math.cos(math.pi * progress))
            rn.log(
                {
                    "train/loss": loss,
                    "train/acc": accuracy(progress, 0.03 * rng.random() - (0.2 if spike else 0.0)),
                    "train/lr": lr,
                    "train/grad_norm": 1 + rng.random(),
                },
                stage="train",
            )
            if (i + 1) % quarter == 0 or i + 1 == steps_per_epoch:
                print(
                    f"  {100 * (i + 1) // steps_per_epoch:3d}% of epoch {epoch}: loss {loss:.4f}", flush=True
                )
            if delay_s:
                time.sleep(delay_s)
        val_loss = 2.4 * math.exp(-2.6 * progress) + 0.08
        val_acc = accuracy(progress, -0.02)
        rn.log({"val/loss": val_loss, "val/acc": val_acc}, step=step, stage="val")
        print(f"epoch {epoch}: val/loss={val_loss:.4f} val/acc={val_acc:.3f}", flush=True)
        image = sample_image(epoch)
        if image is not None:
            rn.log_image("samples", image, caption=f"epoch {epoch}")
    rn.summary({"best_val_acc": val_acc, "final_train_loss": loss, "epochs": epochs})
    rn.finish()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--storage", type=Path, default=Path(".runicorn"))
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps-per-epoch", type=int, default=250)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds to sleep per step (a slow, live run)"
    )
    args = parser.parse_args()
    run = train(args.storage, args.epochs, args.steps_per_epoch, args.delay)
    print(f"\ndemo run written to {run.dir}")
    for path in sorted(run.dir.rglob("*")):
        if path.is_file():
            print(f"  {path.relative_to(run.dir)}  ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
