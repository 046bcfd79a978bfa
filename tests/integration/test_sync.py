"""``runicorn sync`` / ``pull`` / ``viewer --storage s3://`` against a real S3 server (rclone serve s3),
each command a real process (docs/sync.md)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from bucket_cli import cli, stamps, tree, wait_for
from s3_server import SECRET_KEY, S3Server

import runicorn
from runicorn import format as fmt

pytestmark = pytest.mark.s3
REPO = Path(__file__).parents[2]


@pytest.fixture
def bucket(s3_env: S3Server) -> str:
    return s3_env.new_bucket()


def test_sync_then_pull_gives_identical_run_folders(make_run, storage_root: Path, bucket, s3_env, tmp_path):
    run = make_run(finish=False)
    run.log_image("sample", b"\x89PNG\r\n\x1a\n" + b"0" * 100, step=1)
    run.finish()
    make_run(project="other", name="exp2", steps=20)
    url = f"s3://{bucket}/team/runs"

    synced = cli("sync", str(storage_root), url)
    assert synced.returncode == 0, synced.stderr
    assert "synced 2 of 2 runs" in synced.stdout
    pulled = cli("pull", url, str(tmp_path / "pulled"))
    assert pulled.returncode == 0, pulled.stderr

    assert tree(tmp_path / "pulled") == tree(storage_root)
    assert any(k.startswith("demo/exp1/runs/") and "/media/" in k for k in tree(tmp_path / "pulled"))


def test_a_second_sync_of_an_unchanged_root_uploads_nothing(make_run, storage_root, bucket, s3_env, tmp_path):
    make_run()
    make_run(steps=10)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    before = stamps(s3_env.folder / bucket)

    again = cli("sync", str(storage_root), url)

    assert again.returncode == 0, again.stderr
    assert "nothing to upload" in again.stdout
    assert stamps(s3_env.folder / bucket) == before

    shutil.rmtree(tmp_path / "cache")  # what the last sync left in the user cache is only a cache
    without_cache = cli("sync", str(storage_root), url)
    assert "nothing to upload" in without_cache.stdout
    assert stamps(s3_env.folder / bucket) == before


def test_a_growing_run_uploads_only_new_segments_and_the_manifest(make_run, storage_root, bucket, s3_env):
    run = make_run(finish=False)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    folder = s3_env.folder / bucket / "p" / run.dir.relative_to(storage_root)
    before = stamps(folder)

    for step in range(100, 200):
        run.log({"train/loss": 0.5}, step=step)
    run.flush()
    assert cli("sync", str(storage_root), url).returncode == 0

    after = stamps(folder)
    assert all(after[key] == value for key, value in before.items() if "/segments/" in f"/{key}")
    changed = {k for k in after if after[k] != before.get(k)}
    assert "segments/events.jsonl.1" in changed
    assert changed - {"manifest.json", "objects/status.json"} <= {
        "segments/events.jsonl.1",
        "segments/events.columns.1",
    }
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["format_version"] == fmt.BUCKET_FORMAT_VERSION
    assert [s["n"] for s in manifest["segments"]["events.jsonl"]] == [0, 1]


def _many_runs(root: Path, count: int, steps: int) -> None:
    for i in range(count):
        run = runicorn.init(
            project="demo", name=f"exp{i % 3}", storage=root, capture_console=False, system_metrics=False
        )
        for step in range(steps):
            run.log({"loss": 1.0 / (step + 1), "acc": step / steps}, step=step)
        run.finish()


def test_a_sync_killed_midway_completes_on_the_next_without_duplicates(
    storage_root, bucket, s3_env, tmp_path
):
    _many_runs(storage_root, 60, 300)
    url = f"s3://{bucket}/p"
    out = open(tmp_path / "sync.out", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", "sync", str(storage_root), url],
        cwd=REPO,
        stdout=out,
        stderr=out,
    )
    prefix = s3_env.folder / bucket / "p"
    wait_for(
        lambda: any(prefix.rglob("manifest.json")) or proc.poll() is not None, "a first run uploaded", 30
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    out.close()
    landed = len(list(prefix.rglob("manifest.json")))
    assert landed < 60, "the sync ended before it could be killed"

    again = cli("sync", str(storage_root), url)

    assert again.returncode == 0, again.stderr
    assert f"synced {60 - landed} of 60 runs" in again.stdout or landed == 0
    assert cli("pull", url, str(tmp_path / "pulled")).returncode == 0
    assert tree(tmp_path / "pulled") == tree(storage_root)
    listed = set()
    for manifest_path in prefix.rglob("manifest.json"):
        manifest = orjson.loads(manifest_path.read_bytes())
        run = manifest_path.parent.relative_to(prefix).as_posix()
        listed |= {f"{run}/segments/{f}.{s['n']}" for f, segs in manifest["segments"].items() for s in segs}
    on_server = {p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.parent.name == "segments"}
    assert on_server == listed  # nothing uploaded twice under another name


@pytest.fixture
def background() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[tuple[subprocess.Popen[bytes], object]] = []

    def start(out: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        f = open(out, "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "runicorn.cli", *args],
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdout=f,
            stderr=subprocess.STDOUT,
        )
        started.append((proc, f))
        return proc

    yield start
    for proc, f in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        f.close()  # type: ignore[attr-defined]


def _manifest(path: Path) -> dict | None:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def test_watch_keeps_a_live_run_in_sync_within_five_seconds(
    make_run, storage_root, bucket, s3_env, tmp_path, background
):
    run = make_run(finish=False)
    proc = background(
        tmp_path / "watch.out", "sync", str(storage_root), f"s3://{bucket}/p", "--watch", "--interval", "0.5"
    )
    manifest = s3_env.folder / bucket / "p" / run.dir.relative_to(storage_root) / "manifest.json"
    wait_for(lambda: _manifest(manifest), "the run is in the bucket", 30)

    run.log_text("a line written while the run is live")
    run.flush()
    size = (run.dir / fmt.LOGS_FILE).stat().st_size

    def covered() -> bool:
        m = _manifest(manifest)
        segs = (m or {}).get("segments", {}).get(fmt.LOGS_FILE, [])
        return bool(segs) and segs[-1]["offset"] + segs[-1]["size"] == size

    wait_for(covered, "the new log line is in the bucket", 5.0)
    assert proc.poll() is None


def _viewer_url(out: Path, proc: subprocess.Popen[bytes]) -> str:
    def found() -> str | None:
        m = re.search(r"Runicorn viewer: (http://\S+)", out.read_text(errors="replace"))
        return m.group(1).rstrip("/") if m else ("" if proc.poll() is not None else None)

    url = wait_for(found, "the viewer printed its URL", 30)
    assert url, out.read_text(errors="replace")
    return str(url)


def test_viewer_over_a_bucket_shows_runs_metrics_logs_and_live_lines(
    make_run, storage_root, bucket, s3_env, tmp_path, background
):
    done = make_run(steps=30)
    live = make_run(name="live", finish=False)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    proc = background(tmp_path / "viewer.out", "viewer", "--storage", url, "--port", "0", "--no-token")
    base = _viewer_url(tmp_path / "viewer.out", proc)

    def runs() -> list[dict]:
        return [r for r in httpx.get(f"{base}/api/runs", timeout=10).json()["runs"]]

    wait_for(lambda: len(runs()) == 2, "both runs listed", 10)
    assert {r["id"] for r in runs()} == {done.id, live.id}
    metrics = httpx.get(
        f"{base}/api/runs/{done.id}/metrics", params={"keys": "train/loss"}, timeout=10
    ).json()
    assert metrics["series"]["train/loss"]["count"] == 30
    logs = httpx.get(f"{base}/api/runs/{done.id}/logs", timeout=10).json()
    assert any("trained 30 steps" in line for line in logs["lines"])

    live.log_text("fresh line from the live run")
    live.flush()
    assert cli("sync", str(storage_root), url).returncode == 0

    def fresh() -> bool:
        lines = httpx.get(f"{base}/api/runs/{live.id}/logs", timeout=10).json()["lines"]
        return any("fresh line from the live run" in line for line in lines)

    wait_for(fresh, "the live run's new line shown", 10)
    cache = tmp_path / "cache"
    assert any(cache.rglob(fmt.EVENTS_FILE))  # the copy lives in the user cache folder...
    assert not any((storage_root.parent / "cache").rglob("manifest.json"))  # ...and holds runs only


def test_the_viewer_over_a_bucket_refuses_imports_and_mirrors_that_would_land_in_its_cache(
    make_run, storage_root, bucket, s3_env, tmp_path, background
):
    make_run()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    proc = background(tmp_path / "viewer.out", "viewer", "--storage", url, "--port", "0", "--no-token")
    base = _viewer_url(tmp_path / "viewer.out", proc)

    imported = httpx.post(f"{base}/api/import", files={"file": ("runs.zip", b"PK\x05\x06" + b"\0" * 18)})
    mirrored = httpx.post(f"{base}/api/ssh/mirror/start", json={"session": "s", "path": "/runs"})

    for answer, what in ((imported, "an import"), (mirrored, "an SSH mirror")):
        assert answer.status_code == 409, answer.text
        error = answer.json()
        assert error["error"] == (
            f"this viewer shows {url} read-only: {what} would land in its local cache, not in the bucket"
        )
        assert f"runicorn sync ROOT {url}" in error["hint"]
    assert len(httpx.get(f"{base}/api/runs").json()["runs"]) == 1  # reading goes on as before


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_the_process_filling_the_bucket_viewer_s_cache_ends_with_the_viewer(
    make_run, storage_root, bucket, s3_env, tmp_path, background, how
):
    make_run()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    out = tmp_path / "viewer.out"
    proc = background(out, "viewer", "--storage", url, "--port", "0", "--no-token")
    _viewer_url(out, proc)
    (filler,) = _children(proc.pid)

    if how == signal.SIGINT:  # Ctrl-C in a terminal reaches both processes
        os.kill(filler, signal.SIGINT)
    proc.send_signal(how)
    proc.wait(20)

    wait_for(lambda: _gone(filler), "the cache filler ended", 10)
    if how == signal.SIGINT:
        assert "Traceback" not in out.read_text(errors="replace")


def test_wrong_credentials_missing_bucket_and_newer_manifest_are_clear_errors(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    run = make_run()
    url = f"s3://{bucket}/p"
    outputs: list[str] = []

    wrong = cli("sync", str(storage_root), url, env={"AWS_SECRET_ACCESS_KEY": "not-the-secret-key"})
    outputs.append(wrong.stdout + wrong.stderr)
    assert wrong.returncode == 1
    assert f"refused the credentials for s3://{bucket}/p" in wrong.stderr
    assert "hint: check AWS_ACCESS_KEY_ID" in wrong.stderr

    missing = cli("sync", str(storage_root), "s3://no-such-bucket/p")
    outputs.append(missing.stdout + missing.stderr)
    assert missing.returncode == 1
    assert "bucket no-such-bucket does not exist" in missing.stderr

    ok = cli("sync", str(storage_root), url)
    outputs.append(ok.stdout + ok.stderr)
    manifest = s3_env.folder / bucket / "p" / run.dir.relative_to(storage_root) / "manifest.json"
    newer = {**orjson.loads(manifest.read_bytes()), "format_version": fmt.BUCKET_FORMAT_VERSION + 1}
    s3_env.client().pipe_file(manifest.relative_to(s3_env.folder).as_posix(), orjson.dumps(newer))
    with open(run.dir / fmt.LOGS_FILE, "a") as f:
        f.write("more\n")
    for args in (("pull", url, str(tmp_path / "pulled")), ("sync", str(storage_root), url)):
        result = cli(*args)
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 1
        assert f"{manifest.relative_to(s3_env.folder).as_posix()} is bucket format 2" in result.stderr
        assert "upgrade Runicorn" in result.stderr
    assert orjson.loads(manifest.read_bytes())["format_version"] == 2  # never overwritten
    assert not (tmp_path / "pulled" / run.dir.relative_to(storage_root)).exists()

    written = [
        p for top in (storage_root, s3_env.folder / bucket, tmp_path) for p in top.rglob("*") if p.is_file()
    ]
    assert written
    for text in outputs:
        assert SECRET_KEY not in text
    for path in written:
        assert SECRET_KEY.encode() not in path.read_bytes(), path


def test_a_segment_deleted_by_hand_is_reported_by_key_and_the_next_sync_repairs_it(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    run = make_run()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    segment = s3_env.folder / bucket / "p" / run.dir.relative_to(storage_root) / "segments" / "events.jsonl.0"
    s3_env.client().rm_file(segment.relative_to(s3_env.folder).as_posix())

    broken = cli("pull", url, str(tmp_path / "first"))
    assert broken.returncode == 1
    assert f"s3://{segment.relative_to(s3_env.folder).as_posix()} is missing from the bucket" in broken.stderr
    assert not (tmp_path / "first" / run.dir.relative_to(storage_root) / fmt.EVENTS_FILE).exists()

    repaired = cli("sync", str(storage_root), url)
    assert repaired.returncode == 0, repaired.stderr
    assert "repaired 1 lost objects" in repaired.stdout
    assert cli("pull", url, str(tmp_path / "second")).returncode == 0
    assert tree(tmp_path / "second") == tree(storage_root)


def test_endpoint_url_on_the_command_line_and_a_single_run_s_prefix(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    """A non-AWS store named by --endpoint-url alone (no AWS_ENDPOINT_URL), and a pull of one run."""
    run = make_run()
    other = make_run(name="other")
    url = f"s3://{bucket}/p"
    flag = ("--endpoint-url", s3_env.endpoint)
    synced = cli("sync", str(storage_root), url, *flag, without=("AWS_ENDPOINT_URL",))
    assert synced.returncode == 0, synced.stderr

    run_path = run.dir.relative_to(storage_root).as_posix()
    pulled = cli("pull", f"{url}/{run_path}", str(tmp_path / "one"), *flag, without=("AWS_ENDPOINT_URL",))

    assert pulled.returncode == 0, pulled.stderr
    assert "pulled 1 runs" in pulled.stdout
    assert tree(tmp_path / "one" / run_path) == tree(storage_root / run_path)  # at its place under the root
    assert not (tmp_path / "one" / other.dir.relative_to(storage_root)).exists()


def test_objects_and_segments_with_other_bytes_are_refused_by_key_and_never_land(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    run = make_run(finish=False)
    run.log_image("sample", b"\x89PNG\r\n\x1a\n" + b"0" * 100, step=1)
    run.finish()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    prefix = f"{bucket}/p/{run.dir.relative_to(storage_root).as_posix()}"
    client = s3_env.client()
    (media,) = [k for k in client.find(f"{prefix}/objects/media")]
    client.pipe_file(media, b"not the image that was synced")
    client.pipe_file(f"{prefix}/segments/{fmt.LOGS_FILE}.0", b"other lines\n")

    pulled = cli("pull", url, str(tmp_path / "pulled"))

    assert pulled.returncode == 1
    assert f"error: s3://{media} does not hold the bytes its manifest names" in pulled.stderr
    assert f"s3://{prefix}/segments/{fmt.LOGS_FILE}.0 does not hold the bytes" in pulled.stderr
    assert "hint: sync the run again" in pulled.stderr
    copy = tmp_path / "pulled" / run.dir.relative_to(storage_root)
    assert not list((copy / fmt.MEDIA_DIR).rglob("*.png")) and not (copy / fmt.LOGS_FILE).exists()
    assert (copy / fmt.EVENTS_FILE).read_bytes() == (run.dir / fmt.EVENTS_FILE).read_bytes()  # the rest lands


def test_a_store_cut_mid_sync_is_a_clear_error_and_the_next_sync_completes(
    storage_root, bucket, s3_env, tmp_path
):
    _many_runs(storage_root, 60, 300)  # long enough a sync that the cut lands midway
    url = f"s3://{bucket}/p"
    out = tmp_path / "sync.out"
    with open(out, "wb") as f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runicorn.cli", "sync", str(storage_root), url],
            cwd=REPO,
            stdout=f,
            stderr=f,
        )
        prefix = s3_env.folder / bucket / "p"
        try:
            wait_for(lambda: any(prefix.rglob("manifest.json")) or proc.poll() is not None, "a first run", 30)
            proc.send_signal(signal.SIGSTOP)  # held midway, so the cut cannot come after the end
            assert proc.poll() is None, "the sync finished before the store could be cut"
            s3_env.stop()  # the network goes away mid-sync
            proc.send_signal(signal.SIGCONT)
            code = proc.wait(55)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            s3_env.start()
    printed = out.read_text()
    assert code == 1, printed
    assert f"cannot reach s3://{bucket}/p" in printed
    assert "hint:" in printed and "Traceback" not in printed

    again = cli("sync", str(storage_root), url)
    assert again.returncode == 0, again.stderr
    assert cli("pull", url, str(tmp_path / "pulled")).returncode == 0
    assert tree(tmp_path / "pulled") == tree(storage_root)


def test_runicorn_run_with_sync_url_leaves_the_finished_run_in_the_bucket(
    storage_root, bucket, s3_env, tmp_path
):
    result = cli(
        "run",
        "--storage",
        str(storage_root),
        "--project",
        "demo",
        "--name",
        "cmd",
        "--",
        sys.executable,
        "-c",
        "print('hello from the command')",
        env={"RUNICORN_SYNC_URL": f"s3://{bucket}/live"},
    )
    assert result.returncode == 0, result.stderr
    assert cli("pull", f"s3://{bucket}/live", str(tmp_path / "pulled")).returncode == 0
    (run_dir,) = (tmp_path / "pulled" / "demo" / "cmd" / "runs").iterdir()
    assert fmt.read_json(run_dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    assert "hello from the command" in (run_dir / fmt.LOGS_FILE).read_text()


def test_a_run_s_json_files_come_from_its_manifest_without_a_request_each(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    from runicorn.sync.bucket import Bucket, parse_bucket_url
    from runicorn.sync.materialiser import Materialiser

    run = make_run()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    client = s3_env.client()
    prefix = f"{bucket}/p/{run.dir.relative_to(storage_root).as_posix()}"
    manifest = orjson.loads(client.cat_file(f"{prefix}/{fmt.BUCKET_MANIFEST_FILE}"))
    json_files = [r for r in fmt.REWRITTEN_FILES if (run.dir / r).exists()]
    assert json_files and all(r in manifest["objects"] for r in json_files)
    for relpath in json_files:  # the bucket's own copies gone: only the manifest's can land
        client.rm_file(f"{prefix}/{fmt.bucket_object_name(relpath)}")

    reader = Bucket(parse_bucket_url(url))
    report = Materialiser(reader, tmp_path / "pulled").sync_once()

    assert report.errors == []
    pulled = tmp_path / "pulled" / run.dir.relative_to(storage_root)
    for relpath in json_files:
        assert (pulled / relpath).read_bytes() == (run.dir / relpath).read_bytes()
    segments = sum(len(s) for s in manifest["segments"].values())
    others = [r for r in manifest["objects"] if r not in json_files]
    assert reader.requests == 1 + 1 + segments + len(others)  # no request for a JSON file


def test_a_live_run_s_manifest_stays_small_and_carries_its_json_once_the_run_ends(
    make_run, storage_root, bucket, s3_env
):
    run = make_run(finish=False)
    url = f"s3://{bucket}/p"
    manifest_file = (
        s3_env.folder / bucket / "p" / run.dir.relative_to(storage_root) / fmt.BUCKET_MANIFEST_FILE
    )
    assert cli("sync", str(storage_root), url).returncode == 0
    live = orjson.loads(manifest_file.read_bytes())
    assert all(fmt.BUCKET_INLINE_KEY not in obj for obj in live["objects"].values())

    run.finish()
    assert cli("sync", str(storage_root), url).returncode == 0

    ended = orjson.loads(manifest_file.read_bytes())["objects"]
    for relpath in (fmt.META_FILE, fmt.STATUS_FILE):
        assert ended[relpath][fmt.BUCKET_INLINE_KEY].encode() == (run.dir / relpath).read_bytes()


def test_a_manifest_without_inline_copies_still_reads_whole(make_run, storage_root, bucket, s3_env, tmp_path):
    run = make_run()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    client = s3_env.client()
    key = f"{bucket}/p/{run.dir.relative_to(storage_root).as_posix()}/{fmt.BUCKET_MANIFEST_FILE}"
    manifest = orjson.loads(client.cat_file(key))
    for obj in manifest["objects"].values():
        obj.pop(fmt.BUCKET_INLINE_KEY, None)  # as a manifest written before the copies were added
    client.pipe_file(key, orjson.dumps(manifest))

    pulled = cli("pull", url, str(tmp_path / "pulled"))

    assert pulled.returncode == 0, pulled.stderr
    assert tree(tmp_path / "pulled") == tree(storage_root)


TRIAL = "import runicorn as rn; run = rn.init(); run.log({'loss': 0.5}); run.finish()"


def test_sync_and_pull_carry_sweeps_and_the_viewer_over_the_bucket_shows_them(
    storage_root, bucket, s3_env, tmp_path, background
):
    config = tmp_path / "sweep.yaml"
    config.write_text("method: grid\nmetric: {name: loss}\nparameters: {lr: {values: [0.1]}}\n")
    created = cli("sweep", "--storage", str(storage_root), str(config), "--project", "demo")
    assert created.returncode == 0, created.stderr
    sweep_id = created.stdout.strip()
    trial = cli("sweep", "--storage", str(storage_root), "run", sweep_id, "--", sys.executable, "-c", TRIAL)
    assert trial.returncode == 0, trial.stderr
    url = f"s3://{bucket}/team"

    synced = cli("sync", str(storage_root), url)
    assert synced.returncode == 0, synced.stderr
    assert "2 sweep files" in synced.stdout  # sweep.json and trials/0.json
    assert "nothing to upload" in cli("sync", str(storage_root), url).stdout
    assert cli("pull", url, str(tmp_path / "pulled")).returncode == 0
    assert tree(tmp_path / "pulled") == tree(storage_root)
    assert any(k.startswith(f"{fmt.SWEEPS_DIR}/{sweep_id}/") for k in tree(tmp_path / "pulled"))

    proc = background(tmp_path / "viewer.out", "viewer", "--storage", url, "--port", "0", "--no-token")
    base = _viewer_url(tmp_path / "viewer.out", proc)

    def sweeps() -> list[dict]:
        return list(httpx.get(f"{base}/api/sweeps", timeout=10).json()["sweeps"])

    wait_for(lambda: len(sweeps()) == 1, "the sweep listed", 20)
    assert (sweeps()[0]["id"], sweeps()[0]["trial_count"]) == (sweep_id, 1)
    detail = httpx.get(f"{base}/api/sweeps/{sweep_id}", timeout=10).json()
    wait_for(
        lambda: httpx.get(f"{base}/api/runs/{detail['trials'][0]['run_key']}", timeout=10).status_code == 200,
        "the trial's run opened",
        20,
    )


def test_a_run_opened_as_soon_as_it_is_listed_comes_back_with_its_data(
    make_run, storage_root, bucket, s3_env, tmp_path, background
):
    """Many runs fill the cache in the background; the one last in the fill order, opened the
    moment the viewer lists it, is landed ahead of the rest and answered whole."""
    for i in range(40):
        make_run(project=f"p{i:02}", steps=2000)
    late = make_run(project="zz", name="late", steps=2000)
    url = f"s3://{bucket}/many"
    assert cli("sync", str(storage_root), url, timeout=120).returncode == 0
    proc = background(tmp_path / "viewer.out", "viewer", "--storage", url, "--port", "0", "--no-token")
    base = _viewer_url(tmp_path / "viewer.out", proc)

    wait_for(lambda: httpx.get(f"{base}/api/runs/{late.id}", timeout=30).status_code == 200, "listed", 30)
    metrics = httpx.get(
        f"{base}/api/runs/{late.id}/metrics", params={"keys": "train/loss", "max_points": 5000}, timeout=30
    ).json()
    assert metrics["series"]["train/loss"]["count"] == 2000
    logs = httpx.get(f"{base}/api/runs/{late.id}/logs", timeout=30).json()
    assert any("trained 2000 steps" in line for line in logs["lines"])
