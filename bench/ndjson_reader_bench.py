"""A native NDJSON reader against the bare orjson loop, on the JSONL-only run of the cold bench.

Usage:  python bench/ndjson_reader_bench.py [--steps 1000000] [--repeat 3]

The first view of a run written without events.columns is bound by JSON decoding
(bench/jsonl_cold_bench.py measures the whole request). This bench measures the floor a native
reader would give that request: polars' multi-threaded `read_ndjson` (when polars is installed)
over the same lines, asked only for what a chart needs (the record's type and time, and the
metrics' step, time, stage and values, as float64 columns), next to a bare
`for line in f: orjson.loads(line)` loop measured in the same run. It reads no Runicorn code
but the bench's line writer: it answers "could a native reader reach the first-view bar
(0.4x the loop)?", before any of the exactness checks such a path would need (polars turns a
bool or a string into an error or a null, rejects the NaN/Infinity tokens the format reads, keeps
the first of two equal keys where orjson keeps the last, and reads a number as a stage string).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from array import array
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jsonl_cold_bench import BAR_FIRST, load  # noqa: E402
from viewer_bench import big_line  # noqa: E402

KEYS = ("loss", "acc", "lr", "grad_norm")


def write_events(path: Path, steps: int) -> None:
    t0 = 1_790_000_000.0
    with open(path, "wb") as f:
        for start in range(0, steps, 10000):
            f.write(b"".join(big_line(s, t0 + s * 0.01) for s in range(start, min(steps, start + 10000))))


def orjson_loop_s(path: Path) -> float:
    loads = orjson.loads
    t = time.perf_counter()
    with open(path, "rb") as f:
        for raw in f:
            loads(raw)
    return time.perf_counter() - t


def polars_s(path: Path, keys: tuple[str, ...], downsample: bool = False) -> float:
    """polars' read of ``keys`` (and step, time, stage) into float64 columns; with ``downsample``,
    then each key's 2,000 points picked as the viewer picks them (a floor for the request)."""
    import polars as pl

    from runicorn import format as fmt
    from runicorn.store.metrics.downsample import keep_indexes

    fields = {k: pl.Float64 for k in (*keys, fmt.STEP_KEY, fmt.TIME_KEY)}
    schema = {"ts": pl.Float64, "type": pl.String, "data": pl.Struct({**fields, fmt.STAGE_KEY: pl.String})}
    t = time.perf_counter()
    frame = pl.read_ndjson(path, schema=schema, ignore_errors=True).unnest("data")
    columns = [frame.get_column(k).to_numpy() for k in fields]
    if downsample:
        steps = columns[len(keys)]
        for values in columns[: len(keys)]:
            column = array("d")
            column.frombytes(values.tobytes())
            steps[keep_indexes(column, 2000)]
    took = time.perf_counter() - t
    if len(columns[0]) == 0:
        raise RuntimeError("polars read no rows")
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        import polars as pl
    except ImportError:
        print("polars is not installed: nothing to measure (pip install polars)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="runicorn-ndjson-bench-"))
    try:
        events = work / "events.jsonl"
        write_events(events, args.steps)
        size_mb = events.stat().st_size / 1e6
        print(f"{args.steps:,} steps x 4 metrics, {size_mb:.0f} MB of JSONL; {os.cpu_count()} CPUs")
        print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads; load average before: {load()}")
        polars_s(events, KEYS, downsample=True)  # imports and polars' threads, not timed
        loops, all_keys, one_key, request = [], [], [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment weighs on each alike
            loops.append(orjson_loop_s(events))
            all_keys.append(polars_s(events, KEYS))
            one_key.append(polars_s(events, KEYS[:1]))
            request.append(polars_s(events, KEYS, downsample=True))
        loop = statistics.median(loops)
        print(
            f"bare orjson loop: median {loop * 1000:.0f} ms"
            f" ({min(loops) * 1000:.0f} - {max(loops) * 1000:.0f})"
        )
        for label, times in (
            ("polars, the 4 metrics", all_keys),
            ("polars, 1 metric", one_key),
            ("polars + downsampling", request),
        ):
            t = statistics.median(times)
            verdict = "ok" if t / loop < BAR_FIRST else "MISSED"
            print(
                f"{label:<24} median {t * 1000:6.0f} ms ({min(times) * 1000:.0f} - {max(times) * 1000:.0f})"
                f"  = {t / loop:.2f}x the loop  bar < {BAR_FIRST}x  {verdict}"
            )
        print(f"load average after: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
