"""Export and import throughput against a plain file copy of the same runs, measured in this run.

Builds --runs runs of --steps metric lines each (plus a random media file), then times:
  - the floor: `shutil.copytree` of the storage root (read + write every byte, no hashing);
  - `export` to .zip and to .tar.gz, and `import` of each into an empty root;
  - re-import of the .zip into the same root (every run skipped as identical).
Each figure is printed with MB/s of run bytes and the ratio time / floor (lower is better).

    python bench/archive_bench.py [--runs 200] [--steps 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_REPO))

from runicorn import archive  # noqa: E402
from runicorn import format as fmt  # noqa: E402
from runicorn.files import write_json_atomic  # noqa: E402


def make_runs(root: Path, runs: int, steps: int) -> int:
    for i in range(runs):
        run = fmt.run_dir(root, f"proj{i % 3}", f"exp{i % 7}", fmt.new_run_id())
        (run / fmt.MEDIA_DIR).mkdir(parents=True)
        write_json_atomic(run / fmt.META_FILE, {"id": run.name, "project": f"proj{i % 3}"})
        write_json_atomic(run / fmt.STATUS_FILE, {fmt.STATUS_KEY: fmt.FINISHED})
        with open(run / fmt.EVENTS_FILE, "wb") as f:
            for step in range(steps):
                data = {"loss": 1.0 / (step + 1), "acc": step / steps, "lr": 0.1, fmt.STEP_KEY: step}
                f.write(fmt.encode_event(fmt.METRICS, data, 1795432430.0 + step))
        (run / fmt.media_relpath("sample", time.time())).write_bytes(os.urandom(20_000))
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "source"
        total = make_runs(source, args.runs, args.steps)
        mb = total / 1e6
        print(f"{args.runs} runs, {mb:.1f} MB of run files")
        floor = timed(lambda: shutil.copytree(source, tmp / "copy"))
        print(f"{'floor: copytree':<32} {floor:7.2f} s  {mb / floor:7.1f} MB/s  1.00x")
        runs = archive.select_runs(source)
        for kind in ("zip", "tar.gz"):
            out = tmp / f"runs.{kind}"
            t = timed(lambda out=out: archive.export_runs(source, out, runs))
            size = out.stat().st_size / 1e6
            print(f"{'export ' + kind:<32} {t:7.2f} s  {mb / t:7.1f} MB/s  {t / floor:.2f}x  ({size:.1f} MB)")
            target = tmp / f"import-{kind}"
            t = timed(lambda out=out, target=target: archive.import_archive(out, target))
            print(f"{'import ' + kind:<32} {t:7.2f} s  {mb / t:7.1f} MB/s  {t / floor:.2f}x")
        target = tmp / "import-zip"
        t = timed(lambda: archive.import_archive(tmp / "runs.zip", target))
        print(f"{'re-import zip (all skipped)':<32} {t:7.2f} s  {mb / t:7.1f} MB/s  {t / floor:.2f}x")


if __name__ == "__main__":
    main()
