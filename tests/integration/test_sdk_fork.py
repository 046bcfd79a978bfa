"""``rn.log`` in processes forked from the run's process (multiprocessing with the fork method, a
PyTorch DataLoader's workers, a bare ``os.fork()``) reaches the run, read back through the store;
where it cannot (the run already finished, a spawned process), exactly one warning says so."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import PIL.Image

from runicorn import format as fmt
from runicorn.store.reader import StoreReader

REPO = Path(__file__).resolve().parents[2]


def run_script(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(code))
    env = {**os.environ, "RUNICORN_DIR": str(tmp_path / "root"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=50, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    return done


def only_run(tmp_path: Path) -> Path:
    (run,) = (tmp_path / "root").glob(f"*/*/{fmt.RUNS_DIR}/*")
    return run


def events_of(run: Path) -> list[bytes]:
    return fmt.split_complete_lines((run / fmt.EVENTS_FILE).read_bytes())[0]


def series(tmp_path: Path, key: str) -> dict[float, float]:
    """``key``'s values by step, as the viewer reads them."""
    reader = StoreReader(tmp_path / "root")
    try:
        run_id = only_run(tmp_path).name
        points = reader.metrics(run_id, keys=[key], max_points=100_000)["series"].get(key)
    finally:
        reader.close()
    return dict(zip(points["x"], points["y"], strict=True)) if points else {}


def test_multiprocessing_fork_workers_log_into_the_run(tmp_path: Path) -> None:
    done = run_script(
        tmp_path,
        """
        import multiprocessing as mp
        import numpy as np
        import runicorn as rn

        def work(worker):
            for i in range(50):
                rn.log({"worker_loss": worker * 100 + i}, step=worker * 100 + i)
            rn.log_text(f"worker {worker} done")
            rn.log_image("sample", np.full((4, 4, 3), worker * 50, dtype=np.uint8), step=worker)
            rn.summary({f"worker_{worker}_items": 50})
            rn.config.update({f"worker_{worker}_seed": worker})

        if __name__ == "__main__":
            rn.init(project="p", name="n", config={"lr": 0.1}, capture_console=False, system_metrics=False)
            for step in range(1, 11):
                rn.log({"loss": 1.0 / step}, step=step)
            rn.summary({"best": 0.5})
            procs = [mp.get_context("fork").Process(target=work, args=(w,)) for w in (1, 2)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            assert all(p.exitcode == 0 for p in procs)
            for step in range(11, 21):
                rn.log({"loss": 1.0 / step}, step=step)
            rn.finish()
        """,
    )
    assert "runicorn:" not in done.stderr  # nothing warned: nothing lost
    run = only_run(tmp_path)
    worker_rows = series(tmp_path, "worker_loss")
    assert sorted(worker_rows) == [w * 100 + i for w in (1, 2) for i in range(50)]
    assert all(worker_rows[step] == step for step in worker_rows)
    assert series(tmp_path, "loss") == {step: 1.0 / step for step in range(1, 21)}  # the parent's own
    assert "worker 1 done" in (run / fmt.LOGS_FILE).read_text()
    summary, note = fmt.split_summary(fmt.read_json(run / fmt.SUMMARY_FILE) or {})
    assert {k: summary[k] for k in ("best", "worker_1_items", "worker_2_items")} == {
        "best": 0.5,
        "worker_1_items": 50,
        "worker_2_items": 50,
    }
    assert note is not None and sorted(note["explicit"]) == ["best", "worker_1_items", "worker_2_items"]
    assert fmt.read_json(run / fmt.CONFIG_FILE) == {"lr": 0.1, "worker_1_seed": 1, "worker_2_seed": 2}
    status = fmt.read_json(run / fmt.STATUS_FILE)
    assert status["status"] == fmt.FINISHED and "lost_events" not in status
    assert not (run / fmt.RUN_LOCK_FILE).exists()
    images = [e["data"] for e in map(fmt.decode_event, events_of(run)) if e["type"] == fmt.IMAGE]
    assert sorted(i["step"] for i in images) == [1, 2]
    with PIL.Image.open(run / next(i["path"] for i in images if i["step"] == 2)) as image:
        assert image.getpixel((0, 0)) == (100, 100, 100)


def test_a_torch_dataloader_whose_dataset_logs_records_its_workers_rows(tmp_path: Path) -> None:
    done = run_script(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader, Dataset
        import runicorn as rn

        class Logged(Dataset):
            def __len__(self):
                return 16

            def __getitem__(self, index):
                rn.log({"item": float(index)}, step=1000 + index)
                return torch.tensor([float(index)])

        if __name__ == "__main__":
            rn.init(project="p", name="n", capture_console=False, system_metrics=False)
            loader = DataLoader(Logged(), batch_size=4, num_workers=2, multiprocessing_context="fork")
            for epoch in range(2):
                for step, batch in enumerate(loader):
                    rn.log({"batch_mean": float(batch.mean())}, step=epoch * 10 + step)
            rn.finish()
        """,
    )
    assert "runicorn:" not in done.stderr
    items = series(tmp_path, "item")
    assert sorted(items) == [1000.0 + i for i in range(16)] and items[1005.0] == 5.0
    assert len(series(tmp_path, "batch_mean")) == 8  # the parent's own rows, all there
    assert sum(b'"item"' in line for line in events_of(only_run(tmp_path))) == 32  # 2 epochs, once each


def test_a_bare_fork_child_logs_and_exits_without_finishing_the_run(tmp_path: Path) -> None:
    run_script(
        tmp_path,
        """
        import os, sys
        import runicorn as rn
        from runicorn import format as fmt

        run = rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        rn.log({"loss": 1.0}, step=1)  # still queued at the fork: written once, by this process
        pid = os.fork()
        if pid == 0:
            rn.log({"child": 7.0}, step=7)
            sys.exit(0)  # its exit handlers run here: they must not finish the parent's run
        os.waitpid(pid, 0)
        status = fmt.read_json(run.dir / fmt.STATUS_FILE)["status"]
        assert status == fmt.RUNNING, status
        assert (run.dir / fmt.RUN_LOCK_FILE).exists()
        rn.log({"loss": 0.5}, step=2)
        rn.finish()
        """,
    )
    assert series(tmp_path, "loss") == {1.0: 1.0, 2.0: 0.5}
    assert series(tmp_path, "child") == {7.0: 7.0}
    assert fmt.read_json(only_run(tmp_path) / fmt.STATUS_FILE)["status"] == fmt.FINISHED


def test_a_child_that_logs_after_the_run_finished_warns_once(tmp_path: Path) -> None:
    done = run_script(
        tmp_path,
        """
        import multiprocessing as mp
        import runicorn as rn

        def late(finished):
            rn.log({"early": 1.0}, step=1)
            finished.wait(20)
            for step in range(5):
                rn.log({"late": 1.0}, step=step)

        if __name__ == "__main__":
            rn.init(project="p", name="n", capture_console=False, system_metrics=False)
            ctx = mp.get_context("fork")
            finished = ctx.Event()
            proc = ctx.Process(target=late, args=(finished,))
            proc.start()
            rn.log({"parent": 1.0}, step=1)
            import time; time.sleep(0.5)
            rn.finish()
            finished.set()
            proc.join()
        """,
    )
    assert series(tmp_path, "early") == {1.0: 1.0} and series(tmp_path, "parent") == {1.0: 1.0}
    said = [line for line in done.stderr.splitlines() if "runicorn:" in line]
    assert len(said) == 1 and "cannot send its values" in said[0], done.stderr


def test_a_spawned_process_warns_once_that_it_has_no_run(tmp_path: Path) -> None:
    done = run_script(
        tmp_path,
        """
        import multiprocessing as mp
        import runicorn as rn

        def work():
            for step in range(5):
                rn.log({"spawned": 1.0}, step=step)

        if __name__ == "__main__":
            rn.init(project="p", name="n", capture_console=False, system_metrics=False)
            proc = mp.get_context("spawn").Process(target=work)
            proc.start()
            proc.join()
            rn.finish()
        """,
    )
    said = [line for line in done.stderr.splitlines() if "runicorn:" in line]
    assert len(said) == 1 and "no run started" in said[0], done.stderr


def test_workers_of_a_script_run_by_runicorn_run_log_into_its_run(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent(
            """
            import multiprocessing as mp
            import runicorn as rn

            def work(worker):
                rn.log({"worker_loss": float(worker)}, step=worker)

            if __name__ == "__main__":
                rn.init()
                procs = [mp.get_context("fork").Process(target=work, args=(w,)) for w in (1, 2)]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join()
            """
        )
    )
    env = {**os.environ, "RUNICORN_DIR": str(tmp_path / "root"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "runicorn.cli",
            "run",
            "--project",
            "p",
            "--name",
            "n",
            "--",
            sys.executable,
            str(script),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "runicorn:" not in done.stderr
    assert series(tmp_path, "worker_loss") == {1.0: 1.0, 2.0: 2.0}
