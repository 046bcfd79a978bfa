"""Archives from the PyPI Runicorn package: its own export, and its storage layouts zipped whole."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from archive_fixtures import tree_hashes

from runicorn import archive
from runicorn import format as fmt

DATA = Path(__file__).parents[2] / "data"
PYPI = DATA / "pypi-0.7.2"


def _run_files(run_dir: Path) -> dict[str, str]:
    return {rel: sha for rel, sha in tree_hashes(run_dir).items() if not rel.endswith(fmt.LOCK_SUFFIX)}


def _pypi_runs() -> dict[str, Path]:
    return {p.parent.name: p.parent for p in (PYPI / "storage").rglob(fmt.META_FILE)}


def test_pypi_072_export_imports_every_run_with_its_project_and_name(tmp_path: Path) -> None:
    ids = json.loads((PYPI / "ids.json").read_text())
    root = tmp_path / "root"

    results = archive.import_archive(PYPI / "export.tar.gz", root)

    by_id = {r.run_id: r for r in results}
    assert sorted(by_id) == sorted(ids.values())
    assert all(r.outcome == "imported" for r in results)
    assert (by_id[ids["finished"]].project, by_id[ids["finished"]].name) == ("vision", "resnet")
    assert (by_id[ids["failed"]].project, by_id[ids["failed"]].name) == ("vision", "resnet/ablation")
    originals = _pypi_runs()
    for run_id, result in by_id.items():
        location = fmt.locate_run(root, result.path)
        assert location is not None and (location.project, location.name) == (result.project, result.name)
        assert tree_hashes(result.path) == _run_files(originals[run_id])
    assert [r.outcome for r in archive.import_archive(PYPI / "export.tar.gz", root)] == ["skipped"] * 2


def test_pypi_storage_root_zipped_whole_matches_its_export(tmp_path: Path) -> None:
    zipped = tmp_path / "storage.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted((PYPI / "storage").rglob("*")):
            zf.write(path, Path("storage") / path.relative_to(PYPI / "storage"))
    root = tmp_path / "root"
    archive.import_archive(PYPI / "export.tar.gz", root)

    results = archive.import_archive(zipped, root)

    assert [r.outcome for r in results] == ["skipped", "skipped"]
    assert not (root / "runicorn.db").exists()


def test_legacy_layouts_round_trip_through_our_export(tmp_path: Path) -> None:
    source = DATA / "legacy-0.2-0.5"
    out = archive.export_runs(source, tmp_path / "legacy.zip", archive.select_runs(source)).path

    results = archive.import_archive(out, tmp_path / "root")

    assert len(results) >= 2 and all(r.outcome == "imported" for r in results)
    assert {k: v for k, v in tree_hashes(tmp_path / "root").items()} == {
        rel: sha for rel, sha in tree_hashes(source).items() if not rel.endswith(fmt.LOCK_SUFFIX)
    }
