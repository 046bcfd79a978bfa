"""RunicornCallback under a real Keras 3 ``model.fit`` on the torch backend, on CPU. Keras reads
``KERAS_BACKEND`` once, when first imported, so the training runs in its own process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from run_rows import metric_rows, only_run

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[3]

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras is not installed", allow_module_level=True)

FIT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import keras
    from runicorn.integrations.keras import RunicornCallback

    rng = np.random.default_rng(0)
    x, y = rng.random((64, 4), dtype="float32"), rng.random((64, 1), dtype="float32")
    layers = [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    model = keras.Sequential(layers)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.5)
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
    callback = RunicornCallback(project="demo", name="keras", storage=sys.argv[1], log_freq=2,
                                log_model=sys.argv[2], capture_console=False)
    history = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, callbacks=[callback])
    print(history.history)
    """
)


def test_fit_records_epoch_and_batch_metrics_the_learning_rate_and_the_summary(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    saved = tmp_path / "model.keras"
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", FIT, str(root), str(saved)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    history = eval(out.stdout.strip().splitlines()[-1])  # the dict of lists Keras printed
    run = only_run(root)
    rows = metric_rows(run)
    epochs = [r for r in rows if "epoch/epoch" in r]
    batches = [r for r in rows if "batch/batch_step" in r]
    assert [r[fmt.STEP_KEY] for r in epochs] == [0, 1]
    assert [r["epoch/loss"] for r in epochs] == pytest.approx(history["loss"])
    assert [r["epoch/val_loss"] for r in epochs] == pytest.approx(history["val_loss"])
    # 48 training samples, 16 a batch: 3 batches an epoch, recorded every 2nd
    assert [r[fmt.STEP_KEY] for r in batches] == [2, 4, 6]
    # the decaying rate as the optimizer has it: halved after every batch
    assert [r["batch/learning_rate"] for r in batches] == pytest.approx(
        [0.01 / 2**2, 0.01 / 2**4, 0.01 / 2**6]
    )
    assert epochs[-1]["epoch/learning_rate"] == pytest.approx(0.01 / 2**6)
    logs = (run / fmt.LOGS_FILE).read_text()
    assert "Trainable params: 49" in logs and "dense_1 (Dense)" in logs
    files = fmt.read_json(run / fmt.SUMMARY_FILE)["model_files"]
    assert files == [{"path": str(saved), "step": 6, "artifact": f"model-{run.name}:v0"}] and saved.is_file()
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "finished"
