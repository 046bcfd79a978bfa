"""The artifact store (runicorn/artifacts/store.py): dedup by content, numbered versions, aliases,
checked downloads, links refused, and two processes logging at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.artifacts import ArtifactStore, Draft
from runicorn.errors import ArtifactError

REPO = Path(__file__).resolve().parents[3]


def blobs(root: Path) -> list[Path]:
    return sorted(p for p in (root / fmt.ARTIFACTS_DIR / fmt.ARTIFACT_BLOBS_DIR).rglob("*") if p.is_file())


def dataset(folder: Path, text: str = "a,b\n1,2\n") -> Draft:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.csv").write_text(text)
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "labels.bin").write_bytes(bytes(range(256)))
    draft = Draft("mnist", "dataset", metadata={"rows": 1})
    draft.add_dir(folder)
    return draft


def test_identical_content_from_two_runs_is_one_version_and_each_blob_is_stored_once(
    make_run, storage_root: Path, tmp_path: Path
) -> None:
    first = make_run(steps=2, finish=False)
    v_first = first.log_artifact(dataset(tmp_path / "a"))
    second = make_run(name="exp2", steps=2, finish=False)
    v_second = second.log_artifact(dataset(tmp_path / "b"))  # same bytes, another folder
    assert (v_first.version, v_second.version) == ("v0", "v0")
    assert v_first.digest == v_second.digest
    assert len(blobs(storage_root)) == 2
    for run in (first, second):
        logged = json.loads((run.dir / fmt.ARTIFACTS_FILE).read_text())[fmt.LOGGED_KEY]
        assert [(r["name"], r["version"]) for r in logged] == [("mnist", "v0")]


def test_a_changed_file_makes_the_next_version_and_latest_moves_to_it(
    storage_root: Path, tmp_path: Path
) -> None:
    store = ArtifactStore(storage_root)
    v0 = store.log(dataset(tmp_path / "a"), aliases=["best"])
    v1 = store.log(dataset(tmp_path / "a", text="a,b\n1,3\n"))
    assert (v0.version, v1.version) == ("v0", "v1")
    assert len(blobs(storage_root)) == 3  # labels.bin shared by both versions
    assert store.aliases("mnist") == {"latest": "v1", "best": "v0"}
    assert store.resolve("mnist").version == "v1"
    assert store.resolve("mnist:best").version == "v0"
    assert store.resolve("mnist:v0").aliases == ("best",)
    # logging v0's content again gives v0 back, and moves latest there
    again = store.log(dataset(tmp_path / "a"))
    assert again.version == "v0" and again.aliases == ("best", "latest")


def test_unknown_names_versions_and_aliases_say_what_exists(storage_root: Path, tmp_path: Path) -> None:
    store = ArtifactStore(storage_root)
    with pytest.raises(ArtifactError, match="no artifact named 'mnist'"):
        store.resolve("mnist:latest")
    store.log(dataset(tmp_path / "a"))
    with pytest.raises(ArtifactError, match="no version or alias 'v7'") as err:
        store.resolve("mnist:v7")
    assert "v0" in (err.value.hint or "")
    with pytest.raises(ArtifactError, match="cannot be an artifact alias"):
        store.log(dataset(tmp_path / "a"), aliases=["v3"])
    with pytest.raises(ArtifactError, match="cannot be used"):
        Draft("../escape", "dataset")
    with pytest.raises(ArtifactError, match="cannot name a file inside"):
        Draft("x", "dataset").add_file(tmp_path / "a" / "train.csv", name="../../etc/passwd")


def test_download_restores_the_exact_bytes_and_layout(storage_root: Path, tmp_path: Path) -> None:
    version = ArtifactStore(storage_root).log(dataset(tmp_path / "a"))
    out = version.download(tmp_path / "out")
    got = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert got == ["sub/labels.bin", "train.csv"]
    assert (out / "sub" / "labels.bin").read_bytes() == bytes(range(256))
    assert (out / "train.csv").read_text() == "a,b\n1,2\n"


def test_a_tampered_blob_is_detected_and_not_written(storage_root: Path, tmp_path: Path) -> None:
    version = ArtifactStore(storage_root).log(dataset(tmp_path / "a"))
    blob = storage_root / fmt.ARTIFACTS_DIR / fmt.artifact_blob_relpath(version.entry("train.csv")["sha256"])
    os.chmod(blob, 0o644)
    blob.write_text("a,b\n6,6\n")  # same size, other bytes
    with pytest.raises(ArtifactError, match="does not match its recorded sha256"):
        version.download(tmp_path / "out")
    assert not (tmp_path / "out" / "train.csv").exists()


def test_a_version_file_linking_out_of_the_store_is_not_read(storage_root: Path, tmp_path: Path) -> None:
    store = ArtifactStore(storage_root)
    store.log(dataset(tmp_path / "a"))
    outside = tmp_path / "planted.json"
    outside.write_text(
        json.dumps({"name": "mnist", "version": "v1", "type": "dataset", "digest": "x", "entries": []})
    )
    (storage_root / fmt.ARTIFACTS_DIR / "names" / "mnist" / "versions" / "v1.json").symlink_to(outside)
    assert [v["version"] for v in store.versions("mnist")] == ["v0"]


def test_references_keep_their_uri_and_a_local_file_is_checked(storage_root: Path, tmp_path: Path) -> None:
    local = tmp_path / "big.bin"
    local.write_bytes(b"x" * 100)
    draft = Draft("refs", "dataset")
    draft.add_reference(str(local))
    draft.add_reference("https://example.org/data/train.tar", name="remote.tar")
    version = ArtifactStore(storage_root).log(draft)
    assert version.entry("remote.tar") == {"path": "remote.tar", "ref": "https://example.org/data/train.tar"}
    assert version.entry("big.bin")["size"] == 100
    assert blobs(storage_root) == []  # references are not copied into the store
    out = version.download(tmp_path / "out")
    assert (out / "big.bin").read_bytes() == b"x" * 100 and not (out / "remote.tar").exists()
    local.write_bytes(b"y" * 100)
    with pytest.raises(ArtifactError, match="does not match"):
        version.download(tmp_path / "out2")


WRITER = """
import sys
from pathlib import Path
from runicorn.artifacts import ArtifactStore, Draft
root, folder, tag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
folder.mkdir(parents=True, exist_ok=True)
store = ArtifactStore(root)
for i in range(15):
    (folder / "f.txt").write_text(f"{tag}-{i}")
    (folder / "shared.txt").write_text("same for everyone")
    d = Draft("ckpt", "model")
    d.add_dir(folder)
    store.log(d, aliases=[tag])
"""


def test_two_processes_logging_at_once_get_distinct_consistent_versions(
    storage_root: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(WRITER), str(storage_root), str(tmp_path / t), t], env=env
        )
        for t in ("one", "two")
    ]
    assert [p.wait(timeout=50) for p in procs] == [0, 0]
    store = ArtifactStore(storage_root)
    versions = store.versions("ckpt")
    assert [v["version"] for v in versions] == [f"v{i}" for i in range(30)]
    assert len({v["digest"] for v in versions}) == 30
    aliases = store.aliases("ckpt")
    assert set(aliases) == {"latest", "one", "two"}
    assert aliases["latest"] in (aliases["one"], aliases["two"])
    for v in store.all_versions("ckpt"):  # every version downloads and verifies
        out = v.download(tmp_path / "out" / v.version)
        assert (out / "shared.txt").read_text() == "same for everyone"
    assert len(blobs(storage_root)) == 31
    leftovers = [p for p in (storage_root / fmt.ARTIFACTS_DIR).rglob("*") if p.name.endswith(fmt.TEMP_SUFFIX)]
    assert leftovers == []


def test_the_format_page_names_the_artifact_files_and_folders() -> None:
    doc = (REPO / "docs" / "format.md").read_text()
    names = [
        fmt.FILES_DIR,
        fmt.ARTIFACTS_FILE,
        fmt.ARTIFACTS_DIR,
        fmt.ARTIFACT_ALIASES_FILE,
        fmt.ARTIFACT_LOCK_FILE,
    ]
    assert [n for n in names if n not in doc] == []
