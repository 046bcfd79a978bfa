"""Writes the test fixtures made by the PyPI Runicorn package, so tests need no network.

    python scripts/make_pypi_fixtures.py

1. Creates `.side-venv/` (git-ignored) with `runicorn==0.7.2` and pillow from PyPI, unless there.
2. With that package, writes a few small runs in its 0.6+ layout `runs/<path>/<id>`: metrics with
   NaN and infinity, two stages, text, an image, a summary with a primary metric; one finished,
   one failed; then its `runicorn export` archive of them.
3. Copies the runs (its SQLite index and lock files included: readers must ignore them) to
   `tests/data/pypi-0.7.2/storage/` and the archive to `tests/data/pypi-0.7.2/export.tar.gz`.
4. Writes `tests/data/legacy-0.2-0.5/`: a small tree in the 0.2 - 0.5 layouts
   (`<project>/<name>/runs/<id>` and the oldest `runs/<id>`), hand-written from the facts about
   those versions, since they predate the 0.7 API.
Run again to regenerate; run ids and timestamps change, the shapes do not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIDE = REPO / ".side-venv"
OUT = REPO / "tests" / "data"

WRITER = r"""
import json, sys
import runicorn as rn
from PIL import Image

storage = sys.argv[1]
ids = {}

run = rn.init(path="vision/resnet", storage=storage, alias="baseline")
run.set_primary_metric("acc", mode="max")
for step in range(1, 9):
    stage = "train" if step <= 5 else "val"
    loss = float("nan") if step == 4 else 1.0 / step
    run.log({"loss": loss, "acc": step / 10, "lr": 0.1}, stage=stage)
run.log({"grad": float("inf")})
run.log_text("epoch 1 done")
run.log_image("sample", Image.new("RGB", (4, 4), (200, 10, 10)), step=3, caption="red")
run.summary({"note": "fixture", "best_loss": 0.125})
run.finish()
ids["finished"] = run.id

run = rn.init(path="vision/resnet/ablation", storage=storage)
for step in range(1, 4):
    run.log({"loss": 2.0 / step})
run.log_text("about to fail")
run.finish(status="failed")
ids["failed"] = run.id

print(json.dumps(ids))
"""


def side_python() -> Path:
    py = SIDE / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SIDE)], check=True)
    probe = subprocess.run([str(py), "-c", "import runicorn, PIL"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "runicorn==0.7.2", "pillow"], check=True)
    return py


def make_pypi(py: Path) -> None:
    target = OUT / "pypi-0.7.2"
    with tempfile.TemporaryDirectory() as tmp:
        storage = Path(tmp) / "storage"
        env = {"HOME": tmp, "PATH": "/usr/bin:/bin", "RUNICORN_DIR": str(storage)}
        ids = (
            subprocess.run(
                [str(py), "-c", WRITER, str(storage)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
                cwd=tmp,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        archive = Path(tmp) / "export.tar.gz"
        subprocess.run(
            [str(py.parent / "runicorn"), "export", "--storage", str(storage), "--out", str(archive)],
            check=True,
            capture_output=True,
            env=env,
            cwd=tmp,
        )
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copytree(storage, target / "storage", ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        shutil.copy(archive, target / "export.tar.gz")
        (target / "ids.json").write_text(json.dumps(json.loads(ids), indent=2) + "\n")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"wrote {target.relative_to(REPO)} ({size / 1024:.0f} KB)")


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


def make_legacy() -> None:
    target = OUT / "legacy-0.2-0.5"
    if target.exists():
        shutil.rmtree(target)
    t0 = 1_700_000_000.0
    runs = {
        "nlp/bert/runs/20231114_221320_a1b2c3": ("nlp", "bert"),
        "runs/20231114_221420_d4e5f6": (None, None),
    }
    for rel, (project, name) in runs.items():
        d = target / rel
        run_id = d.name
        meta = {
            "id": run_id,
            "created_at": t0,
            "python": "3.8.10",
            "platform": "Linux",
            "hostname": "old-box",
            "pid": 1234,
        }
        if project:
            meta.update(project=project, name=name)
        write_json(d / "meta.json", meta)
        write_json(d / "status.json", {"status": "finished", "started_at": t0, "ended_at": t0 + 60})
        write_json(d / "summary.json", {"final_loss": 0.25})
        lines = [
            json.dumps(
                {
                    "ts": t0 + s,
                    "type": "metrics",
                    "data": {"loss": 1.0 / (s + 1), "global_step": s + 1, "time": t0 + s},
                }
            )
            for s in range(5)
        ]
        (d / "events.jsonl").write_text("\n".join(lines) + "\n")
        (d / "logs.txt").write_text("[22:13:20] start\n22:13:25 | text line\n")
    print(f"wrote {target.relative_to(REPO)}")


def main() -> int:
    make_pypi(side_python())
    make_legacy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
