"""SSH mirror cost against a real sshd on loopback: wire bytes per cycle and append-to-local lag.

A server holds 1,000 finished runs and one live run. After the first full copy, each cycle the live
run appends lines; we count the bytes that crossed the SSH socket (both directions) per cycle
and divide by the bytes appended remotely (bar: <= 1.1x). The steady window is as many cycles as
the finished-run check period, so it holds exactly one check (one listing of every runs folder,
which would see a finished run resumed on the server); its cost is also printed on its own. Then a
mirror runs on its own thread at --interval and we time how long each remote append takes to land
locally (bar: <= interval + 1 s), and how long a finished run resumed on the server takes to be
copied again (at most one check period plus a cycle).

    python bench/mirror_bench.py [--runs 1000] [--interval 2] [--lines 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_REPO), str(_REPO / "tests" / "integration")]

from remote_run import RemoteRun  # noqa: E402
from sshd_server import SshServer  # noqa: E402

from runicorn import format as fmt  # noqa: E402
from runicorn.files import write_json_atomic  # noqa: E402
from runicorn.remote.connect import Credentials, Target  # noqa: E402
from runicorn.remote.mirror import FINISHED_CHECK_EVERY, Mirror  # noqa: E402


def make_finished_runs(root: Path, count: int) -> list[RemoteRun]:
    runs = []
    for i in range(count):
        run = RemoteRun(root, project="proj", name=f"exp{i % 4}")
        run.log(20)
        (run.dir / fmt.LOGS_FILE).write_text("12:00:00 | done\n")
        write_json_atomic(run.dir / fmt.SUMMARY_FILE, {"loss": 0.1})
        run.set_status(fmt.FINISHED, ended_at=time.time())
        runs.append(run)
    return runs


def append(run: RemoteRun, lines: int) -> int:
    before = (run.dir / fmt.EVENTS_FILE).stat().st_size if (run.dir / fmt.EVENTS_FILE).exists() else 0
    logs = run.dir / fmt.LOGS_FILE
    logs_before = logs.stat().st_size if logs.exists() else 0
    run.log(lines)
    with open(logs, "a") as f:
        for i in range(max(1, lines // 10)):
            f.write(fmt.text_line(f"epoch step {run.step} batch {i}", time.time()))
    return (run.dir / fmt.EVENTS_FILE).stat().st_size - before + logs.stat().st_size - logs_before


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--lines", type=int, default=100, help="metric lines appended per cycle")
    ap.add_argument("--cycles", type=int, default=FINISHED_CHECK_EVERY)
    ap.add_argument("--lag-samples", type=int, default=5)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mirror-bench-"))
    os.environ["HOME"] = str(tmp / "home")
    os.environ["RUNICORN_CONFIG_FILE"] = str(tmp / "cfg" / "config.json")
    (tmp / "home" / ".ssh").mkdir(parents=True)
    server = SshServer(tmp / "sshd")
    server.start()
    try:
        (tmp / "home" / ".ssh" / "known_hosts").write_text(server.known_hosts_line())
        remote, local = tmp / "remote", tmp / "local"
        t0 = time.perf_counter()
        finished = make_finished_runs(remote, args.runs)
        live = RemoteRun(remote, project="proj", name="exp0")
        live.log(10)
        print(f"server: {args.runs} finished runs + 1 live run written in {time.perf_counter() - t0:.1f} s")

        target = Target(server.user, "127.0.0.1", server.port, str(remote))
        mirror = Mirror(target, Credentials(key_path=str(server.client_key)), local, interval_s=args.interval)
        t0 = time.perf_counter()
        mirror.sync_once()
        print(
            f"first full copy: {mirror.stats.runs} runs, {mirror.stats.files} files, "
            f"{mirror.stats.bytes / 1e6:.2f} MB in {time.perf_counter() - t0:.1f} s"
        )

        idle = []
        for _ in range(2):
            wire0 = mirror.wire_bytes
            mirror.sync_once()
            idle.append(mirror.wire_bytes - wire0)
        print(
            f"idle cycles (nothing appended): {idle[0]} bytes on the wire for the first one (it lists "
            f"again folders listed within a second of a change), then {idle[1]} bytes; "
            f"{mirror.stats.active_runs} active run(s)"
        )
        while mirror.stats.cycles % FINISHED_CHECK_EVERY:
            mirror.sync_once()
        wire0 = mirror.wire_bytes
        mirror.sync_once()
        print(
            f"finished-run check (nothing appended; every {FINISHED_CHECK_EVERY} cycles): "
            f"{mirror.wire_bytes - wire0} bytes on the wire for {args.runs} finished runs"
        )

        for compress in (True, False):
            if not compress:
                mirror.compress = False
                mirror.connect()  # same mirror state, a link without compression
                mirror.sync_once()
            appended = wire = 0
            for _ in range(args.cycles):
                appended += append(live, args.lines)
                before = mirror.wire_bytes
                mirror.sync_once()
                wire += mirror.wire_bytes - before
            ratio = wire / appended
            verdict = "PASS" if ratio <= 1.1 else "FAIL"
            label = "compressed (default)" if compress else "uncompressed"
            print(
                f"steady cycles, {label}: {appended / args.cycles:.0f} bytes appended/cycle, "
                f"{wire / args.cycles:.0f} bytes on the wire/cycle -> ratio {ratio:.3f}x "
                f"(bar <= 1.10x) {verdict}"
            )
        local_events = fmt.run_dir(local, "proj", "exp0", live.id) / fmt.EVENTS_FILE
        assert local_events.read_bytes() == (live.dir / fmt.EVENTS_FILE).read_bytes(), "copy differs"
        mirror.close()

        # lag: a mirror on its own thread; append at arbitrary moments, time until the line lands
        mirror = Mirror(target, Credentials(key_path=str(server.client_key)), local, interval_s=args.interval)
        mirror.start()
        lags = []
        try:
            while mirror.stats.cycles == 0:
                time.sleep(0.01)
            for i in range(args.lag_samples):
                time.sleep(args.interval * (0.3 + 0.37 * i % 1.0))
                size = local_events.stat().st_size
                live.log(1)
                appended_at = time.monotonic()
                while local_events.stat().st_size == size:
                    time.sleep(0.005)
                lags.append(time.monotonic() - appended_at)
            # a finished run resumed on the server: back in the cycle at the next finished-run check
            resumed = finished[0]
            resumed_events = fmt.run_dir(local, "proj", resumed.dir.parent.parent.name, resumed.id)
            resumed_events = resumed_events / fmt.EVENTS_FILE
            size = resumed_events.stat().st_size
            resumed.set_status(fmt.RUNNING)
            resumed.log(1)
            resumed_at = time.monotonic()
            while resumed_events.stat().st_size == size:
                time.sleep(0.01)
            resume_lag = time.monotonic() - resumed_at
        finally:
            mirror.stop()
        worst = max(lags)
        verdict = "PASS" if worst <= args.interval + 1 else "FAIL"
        print(
            f"lag remote append -> local file: median {sorted(lags)[len(lags) // 2]:.2f} s, "
            f"worst {worst:.2f} s "
            f"at interval {args.interval} s -> {worst / (args.interval + 1):.2f} of the bar "
            f"(interval + 1 s) {verdict}"
        )
        print(
            f"lag finished run resumed on the server -> its new line local: {resume_lag:.1f} s "
            f"(at most {FINISHED_CHECK_EVERY + 1} cycles = "
            f"{(FINISHED_CHECK_EVERY + 1) * args.interval:.0f} s plus the cycles' own time)"
        )
    finally:
        server.cleanup()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
