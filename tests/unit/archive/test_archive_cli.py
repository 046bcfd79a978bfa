"""``runicorn export`` / ``runicorn import``: one line per run, error and hint lines on refusal."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import make_archive, tree_hashes, write_run

from runicorn.cli import main


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "no-config.json"))
    monkeypatch.delenv("RUNICORN_DIR", raising=False)


def test_export_and_import_print_one_line_per_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, target, out = tmp_path / "src", tmp_path / "dst", tmp_path / "runs.tar.gz"
    first = write_run(source, "p", "n", seed=1)
    write_run(source, "q", "m", seed=2)

    assert main(["export", "--storage", str(source), "--project", "p", str(out)]) == 0
    assert "exported 1 runs (6 files, " in capsys.readouterr().out

    assert main(["import", "--storage", str(target), str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"imported {first.name} into p/n (6 files)"]
    assert tree_hashes(target / "p") == tree_hashes(source / "p")

    assert main(["import", str(out), "--storage", str(target)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"skipped  {first.name}: an identical run is already in p/n"
    ]


def test_import_names_the_new_id_of_a_conflicting_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = "20261123_101500_ab12cd"
    write_run(tmp_path / "mine", "p", "n", run_id, seed=1)
    write_run(tmp_path / "theirs", "p", "n", run_id, seed=2)
    out = tmp_path / "theirs.zip"
    assert main(["export", "--storage", str(tmp_path / "theirs"), str(out)]) == 0
    capsys.readouterr()

    assert main(["import", "--storage", str(tmp_path / "mine"), str(out)]) == 0

    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"imported {run_id} as 20261123_101500_") and line.endswith(
        "into p/n: a different run already has that id"
    )


def test_refused_archive_prints_error_and_hint_and_other_files_still_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "src", "p", "n")
    good = tmp_path / "good.zip"
    assert main(["export", "--storage", str(tmp_path / "src"), str(good)]) == 0
    bad = make_archive(tmp_path / "bad.zip", [("../escape.txt", b"x")], "zip")
    capsys.readouterr()

    assert main(["import", "--storage", str(tmp_path / "dst"), str(bad), str(good)]) == 1

    captured = capsys.readouterr()
    err_lines = captured.err.splitlines()
    assert (
        err_lines[0].startswith("error: ") and "bad.zip" in err_lines[0] and "'../escape.txt'" in err_lines[0]
    )
    assert err_lines[1] == "hint: the archive was refused and nothing was written"
    assert captured.out.splitlines() == [f"imported {run.name} into p/n (6 files)"]
    assert not (tmp_path / "escape.txt").exists()


def test_export_of_unknown_run_id_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path / "src", "p", "n")
    out = tmp_path / "x.zip"

    assert main(["export", "--storage", str(tmp_path / "src"), "--run", "nope", "--", str(out)]) == 1

    err_lines = capsys.readouterr().err.splitlines()
    assert err_lines[0].startswith("error: no run nope under ")
    assert err_lines[1].startswith("hint: ")
    assert not out.exists()


def _runicorn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=50
    )


def test_export_takes_run_ids_then_the_archive(tmp_path: Path) -> None:
    source = tmp_path / "src"
    first, second = write_run(source, "p", "n", seed=1), write_run(source, "p", "m", seed=2)
    write_run(source, "q", "n", seed=3)
    out = tmp_path / "two.zip"

    done = _runicorn(
        "export", "--storage", str(source), "--run", first.name, second.name, str(out), cwd=tmp_path
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("exported 2 runs (12 files, ")
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("runicorn-manifest.json"))
    assert sorted(r["id"] for r in manifest["runs"]) == sorted([first.name, second.name])


def test_export_of_unknown_run_id_is_named_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "src"
    known = write_run(source, "p", "n")
    out = tmp_path / "x.tar.gz"

    done = _runicorn(
        "export", "--storage", str(source), "--run", known.name, "nope_123", str(out), cwd=tmp_path
    )

    assert done.returncode == 1
    err_lines = done.stderr.splitlines()
    assert err_lines[0] == f"error: no run nope_123 under {source}"
    assert err_lines[1].startswith("hint: ")
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_export_without_an_archive_name_says_how_to_give_one(tmp_path: Path) -> None:
    run = write_run(tmp_path / "src", "p", "n")

    done = _runicorn("export", "--storage", str(tmp_path / "src"), "--run", run.name, cwd=tmp_path)

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: no archive to write: name it last, as OUT.zip, OUT.tar.gz or OUT.tar",
        f"hint: runicorn export --run {run.name} OUT.zip",
    ]


def test_export_keeps_an_existing_archive_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_run(source, "p", "n")
    out = tmp_path / "runs.zip"
    out.write_bytes(b"precious")

    refused = _runicorn("export", "--storage", str(source), str(out), cwd=tmp_path)

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: {out} already exists",
        "hint: pass --force to replace it, or name another file",
    ]
    assert out.read_bytes() == b"precious"

    forced = _runicorn("export", "--storage", str(source), "--force", str(out), cwd=tmp_path)

    assert forced.returncode == 0, forced.stderr
    assert zipfile.is_zipfile(out)


def test_export_to_plain_tar_imports_back(tmp_path: Path) -> None:
    source, target, out = tmp_path / "src", tmp_path / "dst", tmp_path / "runs.tar"
    run = write_run(source, "p", "n")

    exported = _runicorn("export", "--storage", str(source), str(out), cwd=tmp_path)

    assert exported.returncode == 0, exported.stderr
    with open(out, "rb") as f:
        assert not f.read(2) == b"\x1f\x8b"  # not gzip: a plain tar
    with tarfile.open(out, "r:") as tf:
        assert "runicorn-manifest.json" in tf.getnames()
    imported = _runicorn("import", "--storage", str(target), str(out), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines() == [f"imported {run.name} into p/n (6 files)"]
    assert tree_hashes(target / "p") == tree_hashes(source / "p")
