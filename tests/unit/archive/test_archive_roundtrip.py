"""Export then import: every byte comes back; re-import changes nothing; conflicts keep both."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import make_archive, run_members, tree_hashes, write_run

import runicorn as rn
from runicorn import archive
from runicorn import format as fmt
from runicorn.errors import ConfigError, RunNotFound
from runicorn.store.metrics.series import RunSeries

KINDS = ["zip", "tar.gz"]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "source"
    write_run(root, "vision", "resnet", seed=1)
    write_run(root, "vision", "resnet", seed=2)
    write_run(root, "nlp", "bert", seed=3)
    return root


def _export(root: Path, out: Path, **filters: list[str]) -> archive.ExportResult:
    return archive.export_runs(root, out, archive.select_runs(root, **filters))


@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_round_trips_every_byte(source: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"runs.{kind}"
    result = _export(source, out)
    assert (result.runs, result.files) == (3, 18)

    target = tmp_path / "target"
    results = archive.import_archive(out, target)

    assert [r.outcome for r in results] == ["imported"] * 3
    assert tree_hashes(target) == tree_hashes(source)
    assert not (target / fmt.IMPORT_STAGING_DIR).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_archive_carries_a_manifest_of_sizes_and_hashes(source: Path, tmp_path: Path, kind: str) -> None:
    out = _export(source, tmp_path / f"runs.{kind}").path
    if kind == "zip":
        with zipfile.ZipFile(out) as zf:
            manifest = json.loads(zf.read(fmt.MANIFEST_FILE))
    else:
        with tarfile.open(out) as tf:
            stream = tf.extractfile(fmt.MANIFEST_FILE)
            assert stream is not None
            manifest = json.loads(stream.read())
    hashes = tree_hashes(source)
    listed = {f"{run['path']}/{f['path']}": f["sha256"] for run in manifest["runs"] for f in run["files"]}
    assert listed == hashes
    assert sorted(r["project"] for r in manifest["runs"]) == ["nlp", "vision", "vision"]


def test_reimporting_the_same_archive_changes_nothing(source: Path, tmp_path: Path) -> None:
    out = _export(source, tmp_path / "runs.zip").path
    target = tmp_path / "target"
    archive.import_archive(out, target)
    before = tree_hashes(target)

    again = archive.import_archive(out, target)

    assert [r.outcome for r in again] == ["skipped"] * 3
    assert tree_hashes(target) == before


def test_same_run_id_with_other_content_keeps_both(tmp_path: Path) -> None:
    run_id = "20261123_101500_ab12cd"
    ours = write_run(tmp_path / "mine", "p", "n", run_id, seed=1)
    theirs = write_run(tmp_path / "theirs", "p", "n", run_id, seed=2)
    out = _export(tmp_path / "theirs", tmp_path / "theirs.tar.gz").path

    results = archive.import_archive(out, tmp_path / "mine")
    (result,) = results
    assert result.outcome == "renamed" and result.new_id != run_id
    assert fmt.RUN_ID_PATTERN.match(result.new_id) and result.new_id[:16] == run_id[:16]
    assert tree_hashes(result.path) == tree_hashes(theirs)
    assert tree_hashes(ours)[fmt.EVENTS_FILE] != tree_hashes(result.path)[fmt.EVENTS_FILE]

    again = archive.import_archive(out, tmp_path / "mine")
    assert [(r.outcome, r.new_id) for r in again] == [("skipped", result.new_id)]
    assert len(list((tmp_path / "mine" / "p" / "n" / fmt.RUNS_DIR).iterdir())) == 2


def test_export_filters_by_project_name_and_run_id(source: Path, tmp_path: Path) -> None:
    assert _export(source, tmp_path / "a.zip", projects=["nlp"]).runs == 1
    assert _export(source, tmp_path / "b.zip", names=["resnet"]).runs == 2
    one = next(p.name for p in (source / "nlp" / "bert" / fmt.RUNS_DIR).iterdir())
    assert _export(source, tmp_path / "c.zip", run_ids=[one]).runs == 1
    with pytest.raises(RunNotFound, match="no run nope"):
        archive.select_runs(source, run_ids=["nope"])


def test_export_refuses_an_unknown_archive_type(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _export(source, tmp_path / "runs.rar")
    assert "OUT.zip" in (err.value.hint or "")
    assert not list(tmp_path.glob("runs.rar*"))


@pytest.mark.parametrize("top", ["", "wrapper/", "runs-only", "project", "single"])
@pytest.mark.parametrize("kind", KINDS)
def test_archives_with_any_top_folder_are_imported(tmp_path: Path, top: str, kind: str) -> None:
    run_id = "20261123_101500_ab12cd"
    prefix = {
        "": f"p/n/runs/{run_id}",
        "wrapper/": f"wrapper/p/n/runs/{run_id}",
        "runs-only": f"runs/{run_id}",
        "project": f"n/runs/{run_id}",
        "single": run_id,
    }[top]
    out = make_archive(tmp_path / f"a.{kind}", run_members(prefix), kind)

    (result,) = archive.import_archive(out, tmp_path / "root")

    assert result.run_id == run_id and result.outcome == "imported"
    assert fmt.is_run_dir(result.path)
    location = fmt.locate_run(tmp_path / "root", result.path)
    assert location is not None and location.run_id == run_id
    if top in ("", "wrapper/"):
        assert (location.project, location.name) == ("p", "n")


def test_pypi_06_layout_keeps_its_path_segments(tmp_path: Path) -> None:
    run_id = "20261123_101500_ab12cd"
    members = [
        (f"runs/proj/exp/sub/{run_id}/{fmt.META_FILE}", b'{"id": "x", "path": "proj/exp/sub"}'),
        (f"runs/proj/exp/sub/{run_id}/{fmt.STATUS_FILE}", b'{"status": "finished"}'),
        (f"runs/proj/exp/sub/{run_id}/{fmt.SUMMARY_FILE}.lock", b""),
        ("runicorn.db", b"SQLite format 3\x00"),
    ]
    out = make_archive(tmp_path / "pypi.tar.gz", members, "tar.gz")

    (result,) = archive.import_archive(out, tmp_path / "root")

    location = fmt.locate_run(tmp_path / "root", result.path)
    assert location is not None and (location.project, location.name) == ("proj", "exp/sub")
    assert not (tmp_path / "root" / "runicorn.db").exists()
    assert not list(result.path.glob("*" + fmt.LOCK_SUFFIX))


def test_a_run_written_by_the_sdk_round_trips_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    import runicorn

    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "no-config.json"))
    source = tmp_path / "source"
    run = runicorn.init(
        project="sdk",
        name="exp",
        storage=source,
        config={"lr": 0.1},
        tags=["a"],
        capture_console=False,
        system_metrics=False,
    )
    for step in range(50):
        run.log({"loss": 1.0 / (step + 1), "nan": float("nan")}, stage="train")
    run.log_text("hello")
    run.log_image("sample", np.zeros((8, 8, 3), dtype=np.uint8), caption="zeros")
    run.summary({"best": 0.5})
    run.finish()

    out = _export(source, tmp_path / "sdk.tar.gz").path
    (result,) = archive.import_archive(out, tmp_path / "target")

    assert (result.outcome, result.project, result.name, result.run_id) == ("imported", "sdk", "exp", run.id)
    assert tree_hashes(tmp_path / "target") == tree_hashes(source)
    assert any(rel.startswith(f"{fmt.MEDIA_DIR}/") for rel in tree_hashes(result.path))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("model.pt", b"PK\x03\x04" + bytes(64)),  # PyTorch checkpoints are zip files
        ("media/arrays.npz", b"PK\x03\x04" + bytes(64)),
        ("extra/notes.txt.gz", b"compressed notes"),
    ],
)
def test_a_run_holding_an_archive_travels_with_it_as_a_plain_file(
    source: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    run_dir = sorted(source.glob("*/*/runs/*"))[0]
    (run_dir / name).parent.mkdir(parents=True, exist_ok=True)
    (run_dir / name).write_bytes(content)
    out = tmp_path / "runs.zip"
    _export(source, out)
    archive.import_archive(out, tmp_path / "target")
    assert (tmp_path / "target" / run_dir.relative_to(source) / name).read_bytes() == content


def test_an_sdk_run_travels_with_its_frames_and_opens_from_them_after_import(tmp_path: Path) -> None:
    run = rn.init(
        project="p", name="n", storage=tmp_path / "source", capture_console=False, system_metrics=False
    )
    for i in range(30_000):
        run.log({"loss": 1.0 / (i + 1), "acc": i % 11}, stage="train" if i % 1000 < 900 else "eval")
    run.finish()
    assert (run.dir / fmt.COLUMNS_FILE).stat().st_size > 0
    out = _export(tmp_path / "source", tmp_path / "runs.tar.gz").path
    archive.import_archive(out, tmp_path / "target")
    assert tree_hashes(tmp_path / "target") == tree_hashes(tmp_path / "source")
    imported, written = RunSeries(fmt.run_dir(tmp_path / "target", "p", "n", run.id)), RunSeries(run.dir)
    imported.update()
    written.update()
    assert imported.metrics(max_points=500) == written.metrics(max_points=500)
    assert imported.metrics(max_points=500)["series"]["acc"]["count"] == 30_000


def test_export_carries_the_files_sync_carries_and_no_transients(tmp_path: Path) -> None:
    from runicorn.sync.uploader import local_files

    root = tmp_path / "source"
    run = write_run(root, "vision", "resnet", seed=1)
    (run / fmt.RUN_LOCK_FILE).write_text("41233@gpu-box-3")
    (run / ".status.json.0123456789ab.tmp").write_text("{")
    (run / ".DS_Store").write_bytes(b"\0")
    (run / ".ipynb_checkpoints").mkdir()
    (run / ".ipynb_checkpoints" / "notes.txt").write_text("scratch")
    hidden = root / ".hidden" / "resnet" / fmt.RUNS_DIR / "r1"  # runs in a dot folder are not found
    hidden.mkdir(parents=True)
    (hidden / fmt.META_FILE).write_text("{}")
    out = tmp_path / "runs.tar"
    _export(root, out)
    with tarfile.open(out) as tar:
        names = {n for n in tar.getnames() if n != fmt.MANIFEST_FILE}
    prefix = run.relative_to(root).as_posix()
    assert names == {f"{prefix}/{rel}" for rel in local_files(run)}
    assert f"{prefix}/{fmt.META_FILE}" in names
    assert not any("/." in n or n.endswith((".tmp", ".lock")) for n in names)
