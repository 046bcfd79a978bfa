"""The text values of a long run (a string logged every step), listed cold and paged.

Usage:  python bench/text_values_bench.py [--steps 1000000] [--repeat 3]
Quick:  python bench/text_values_bench.py --steps 100000

Writes two runs of STEPS rows as the SDK writes them (4 metrics, a step, a time, a stage): one
also holding a text value every row (`"phase": "train"`, as `wandb.log` keeps it), one of
numbers only. Then, in this process, each REPEAT times from scratch:
  1. the first read of the text run's values (:class:`TextValues.update`), against a bare
     `for line in f: orjson.loads(line)` loop over the same file (bar: 4x the loop);
  2. the numbers-only run's read, which finds nothing to decode (bar: 1x the loop);
  3. a page of 10 values from the middle and the newest page (bar: 10 ms each);
and the memory the text run's index holds (bar: 9 bytes a value). Medians count.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer_bench import big_line  # noqa: E402  (the same metrics lines as the viewer bench)

from runicorn import format as fmt  # noqa: E402
from runicorn.store.records.text_values import TextValues  # noqa: E402

BAR_TEXT_READ = 4.0  # x the bare orjson loop (it decodes the same lines, then looks at every value)
BAR_NUMBERS_READ = 1.0  # x the bare orjson loop (a byte search, no decoding)
BAR_PAGE_MS = 10.0
BAR_BYTES_PER_VALUE = 9.0


def write_run(run_dir: Path, steps: int, text: bool) -> None:
    run_dir.mkdir(parents=True)
    t0 = 1_790_000_000.0
    with open(run_dir / fmt.EVENTS_FILE, "wb") as f:
        for start in range(0, steps, 10000):
            lines = (big_line(s, t0 + s * 0.01) for s in range(start, min(steps, start + 10000)))
            if text:
                lines = (line[:-3] + b',"phase":"train"}}\n' for line in lines)
            f.write(b"".join(lines))


def bare_loop(path: Path) -> float:
    t = time.perf_counter()
    with open(path, "rb") as f:
        for line in f:
            orjson.loads(line)
    return time.perf_counter() - t


def timed_read(run_dir: Path) -> tuple[float, TextValues]:
    values = TextValues(run_dir)
    t = time.perf_counter()
    values.update()
    return time.perf_counter() - t, values


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        text_dir, numbers_dir = Path(tmp) / "text", Path(tmp) / "numbers"
        write_run(text_dir, args.steps, text=True)
        write_run(numbers_dir, args.steps, text=False)
        size_mb = (text_dir / fmt.EVENTS_FILE).stat().st_size / 1e6
        loops, text_reads, number_reads, middle_ms, newest_ms = [], [], [], [], []
        values = None
        for _ in range(args.repeat):
            loops.append(bare_loop(text_dir / fmt.EVENTS_FILE))
            took, values = timed_read(text_dir)
            text_reads.append(took)
            number_reads.append(timed_read(numbers_dir)[0])
            t = time.perf_counter()
            page = values.page("phase", args.steps // 2, 10)
            middle_ms.append((time.perf_counter() - t) * 1000)
            assert [r["step"] for r in page["rows"]] == list(range(args.steps // 2, args.steps // 2 + 10))
            t = time.perf_counter()
            values.page("phase", None, 10)
            newest_ms.append((time.perf_counter() - t) * 1000)
        assert values is not None and values.keys() == {"phase": args.steps}
    loop = statistics.median(loops)
    text_x = statistics.median(text_reads) / loop
    numbers_x = statistics.median(number_reads) / loop
    per_value = values.nbytes / args.steps
    checks = [
        (
            f"text run read: {statistics.median(text_reads):.2f} s = {text_x:.2f}x the orjson loop",
            text_x <= BAR_TEXT_READ,
        ),
        (
            f"numbers-only read: {statistics.median(number_reads):.2f} s = {numbers_x:.2f}x",
            numbers_x <= BAR_NUMBERS_READ,
        ),
        (f"middle page: {statistics.median(middle_ms):.2f} ms", statistics.median(middle_ms) <= BAR_PAGE_MS),
        (f"newest page: {statistics.median(newest_ms):.2f} ms", statistics.median(newest_ms) <= BAR_PAGE_MS),
        (
            f"index: {per_value:.1f} bytes a value ({values.nbytes / 1e6:.1f} MB)",
            per_value <= BAR_BYTES_PER_VALUE,
        ),
    ]
    print(f"{args.steps} steps, {size_mb:.0f} MB of events; orjson loop {loop:.2f} s")
    for line, ok in checks:
        print(("ok   " if ok else "SLOW ") + line)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
