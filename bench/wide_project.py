"""A wide project, as FastTrackML's "representative large amount of data": many runs, each with
many metrics of a few steps, many config params and tags, written as our SDK writes them.

Usage:  python bench/wide_project.py [--runs 1500] [--metrics 1500] [--steps 20] [--keep DIR]

Each run gets ``meta.json``, ``status.json``, ``config.json`` (``--params`` params in sections),
``summary.json``, and ``events.jsonl`` with one metrics line per step holding every metric (the
keys ``layer<i>/m<j>``, ``--per-prefix`` to a prefix), as ``rn.log(...)`` writes it; then
``events.columns`` is framed from it by the SDK's own frames writer, as a finished run leaves it.
Runs are written by several processes. With ``--keep DIR`` the project is kept under ``DIR`` and
reused by the next call with the same shape.

Other benches import it: ``write_run(root, Shape(runs=1, metrics=1500), 0)`` makes one wide run,
``project_at(keep, shape)`` a whole project (cached).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runicorn import format as fmt  # noqa: E402
from runicorn.sdk.frames_writer import frame_events_file  # noqa: E402

T0 = 1_790_000_000.0
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)  # config.optimizer.lr: what the grouped bench groups by


@dataclass(frozen=True)
class Shape:
    """How big the project is (the defaults: FastTrackML's large shape)."""

    runs: int = 1500
    metrics: int = 1500
    steps: int = 20
    params: int = 150
    tags: int = 50
    per_prefix: int = 30  # metrics per key prefix (layer0/..., layer1/...)
    # summary.json as the SDK writes it: every metric's last value (-1), or only the first N
    # metrics' (a run of an older version that called rn.summary with a few keys)
    summary_keys: int = -1
    project: str = "wide"
    experiments: int = 10


def metric_keys(shape: Shape) -> list[str]:
    return [f"layer{i // shape.per_prefix}/m{i % shape.per_prefix}" for i in range(shape.metrics)]


def run_id_of(index: int) -> str:
    created = T0 + index * 60
    return time.strftime("%Y%m%d_%H%M%S", time.gmtime(created)) + f"_{index:06x}"


def write_run(root: Path, shape: Shape, index: int) -> Path:
    """Run number ``index`` of the project; returns its folder."""
    rnd = random.Random(index)
    created = T0 + index * 60
    run_id = run_id_of(index)
    name = f"exp{index % shape.experiments}"
    run_dir = fmt.run_dir(root, shape.project, name, run_id)
    run_dir.mkdir(parents=True)
    meta = {
        "id": run_id,
        "project": shape.project,
        "name": name,
        "path": f"{shape.project}/{name}",
        "created_at": created,
        "hostname": "bench",
        "tags": [f"tag{(index + j) % (shape.tags * 2)}" for j in range(shape.tags)],
        "format_version": fmt.FORMAT_VERSION,
    }
    (run_dir / fmt.META_FILE).write_bytes(fmt.dumps_json_file(meta))
    config: dict[str, dict[str, object]] = {"optimizer": {"lr": LEARNING_RATES[index % len(LEARNING_RATES)]}}
    for p in range(shape.params - 1):
        section = config.setdefault(f"section{p % 10}", {})
        section[f"p{p}"] = rnd.choice([1, 2, 4, 8, "relu", "gelu", True, 0.5]) if p % 3 else rnd.random()
    (run_dir / fmt.CONFIG_FILE).write_bytes(fmt.dumps_json_file(config))
    keys = metric_keys(shape)
    lr_effect = LEARNING_RATES.index(config["optimizer"]["lr"]) * 0.1  # type: ignore[arg-type]
    last: dict[str, float] = {}
    with open(run_dir / fmt.EVENTS_FILE, "wb") as f:
        for step in range(1, shape.steps + 1):
            now = created + step
            record: dict[str, object] = {k: rnd.random() / step + lr_effect for k in keys}
            last = record  # type: ignore[assignment]
            record[fmt.STEP_KEY] = step
            record[fmt.TIME_KEY] = now
            f.write(fmt.encode_event(fmt.METRICS, record, now))
    summary_keys = keys if shape.summary_keys < 0 else keys[: shape.summary_keys]
    summary = {k: last[k] for k in summary_keys if k in last}
    if shape.summary_keys < 0:  # with the SDK's note: the last values are in the file
        summary = fmt.summary_file(summary, {})
    (run_dir / fmt.SUMMARY_FILE).write_bytes(fmt.dumps_json_file(summary))
    status = {"status": "finished", "started_at": created, "ended_at": created + shape.steps + 1}
    (run_dir / fmt.STATUS_FILE).write_bytes(fmt.dumps_json_file(status))
    frame_events_file(run_dir)  # events.columns, as the SDK leaves it when the run finishes
    return run_dir


def _write_some(job: tuple[Path, Shape, int, int]) -> None:
    root, shape, start, stop = job
    for index in range(start, stop):
        write_run(root, shape, index)


def write_project(root: Path, shape: Shape, processes: int | None = None) -> None:
    """Every run of ``shape`` under ``root``, written by ``processes`` processes (one per CPU)."""
    processes = processes or os.cpu_count() or 1
    chunk = max(1, min(50, shape.runs // processes))
    jobs = [(root, shape, s, min(shape.runs, s + chunk)) for s in range(0, shape.runs, chunk)]
    if processes == 1 or len(jobs) == 1:
        for job in jobs:
            _write_some(job)
        return
    with Pool(processes) as pool:
        pool.map(_write_some, jobs, chunksize=1)


def project_at(keep: Path | None, shape: Shape, quiet: bool = False) -> Path:
    """The storage root of a project of ``shape`` under ``keep`` (written unless the one there has
    the same shape), or under a fresh temp folder when ``keep`` is None."""
    base = keep if keep is not None else Path(tempfile.mkdtemp(prefix="wide-project-"))
    root = base / "root"
    marker = base / "shape.json"
    wanted = json.dumps(dataclasses.asdict(shape), sort_keys=True)
    if marker.exists() and marker.read_text() == wanted and root.is_dir():
        return root
    shutil.rmtree(root, ignore_errors=True)
    marker.unlink(missing_ok=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    write_project(root, shape)
    marker.write_text(wanted)
    if not quiet:
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(
            f"wrote {shape.runs} runs x {shape.metrics} metrics x {shape.steps} steps "
            f"({size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s under {root}",
            flush=True,
        )
    return root


def shape_arguments(ap: argparse.ArgumentParser) -> None:
    """The shape's options (``--runs``, ``--metrics``, ...), for scripts that build on this one."""
    default = Shape()
    for field in dataclasses.fields(Shape):
        flag = "--" + field.name.replace("_", "-")
        ap.add_argument(flag, type=type(getattr(default, field.name)), default=getattr(default, field.name))


def shape_of(args: argparse.Namespace) -> Shape:
    return Shape(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Shape)})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shape_arguments(ap)
    ap.add_argument(
        "--keep", type=Path, help="write the project under this folder (reused when the shape matches)"
    )
    args = ap.parse_args()
    project_at(args.keep, shape_of(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
