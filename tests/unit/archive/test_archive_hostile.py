"""Hostile and broken archives, built here, are refused with a clear message and nothing written."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from archive_fixtures import make_archive, run_members, tree_hashes, write_run

from runicorn import archive
from runicorn import format as fmt
from runicorn.errors import ArchiveError

KINDS = ["zip", "tar.gz"]
RUN = "p/n/runs/20261123_101500_ab12cd"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A storage root that already holds one run."""
    root = tmp_path / "root"
    write_run(root, "p", "n", "20261123_090000_000000")
    return root


def _snapshot(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")
    }


def _refused(path: Path, root: Path, limits: archive.ArchiveLimits | None = None) -> ArchiveError:
    before = _snapshot(root)
    with pytest.raises(ArchiveError) as err:
        archive.import_archive(path, root, limits)
    assert _snapshot(root) == before, "a refused archive must leave the storage root untouched"
    assert err.value.hint and "nothing was written" in err.value.hint or "zip or tar" in str(err.value)
    return err.value


def _zip_with_mode(path: Path, name: str, mode: int, data: bytes = b"x") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for member, content in run_members(RUN):
            zf.writestr(member, content)
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        zf.writestr(info, data)
    return path


def _tar_with(path: Path, info: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for member, content in run_members(RUN):
            plain = tarfile.TarInfo(member)
            plain.size = len(content)
            tf.addfile(plain, io.BytesIO(content))
        tf.addfile(info)
    return path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "escapes the target"),
        (f"{RUN}/../../../../../evil.txt", "escapes the target"),
        ("..\\evil.txt", "escapes the target"),
        ("/etc/evil.txt", "absolute path"),
        ("\\evil.txt", "absolute path"),
        ("C:\\evil.txt", "drive letter"),
        ("c:/evil.txt", "drive letter"),
    ],
)
def test_entries_escaping_the_target_are_refused(
    tmp_path: Path, root: Path, kind: str, name: str, reason: str
) -> None:
    path = make_archive(tmp_path / f"bad.{kind}", [*run_members(RUN), (name, b"pwned")], kind)
    err = _refused(path, root)
    assert reason in err.message and path.name in err.message
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize(
    ("kind_word", "mode", "tar_type"),
    [
        ("symbolic link", stat.S_IFLNK | 0o777, tarfile.SYMTYPE),
        ("device file", stat.S_IFCHR | 0o644, tarfile.CHRTYPE),
        ("device file", stat.S_IFBLK | 0o644, tarfile.BLKTYPE),
        ("FIFO", stat.S_IFIFO | 0o644, tarfile.FIFOTYPE),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_links_devices_and_fifos_are_refused(
    tmp_path: Path, root: Path, kind: str, kind_word: str, mode: int, tar_type: bytes
) -> None:
    name = f"{RUN}/special"
    if kind == "zip":
        path = _zip_with_mode(tmp_path / "bad.zip", name, mode, b"/etc/passwd")
    else:
        info = tarfile.TarInfo(name)
        info.type, info.linkname = tar_type, "/etc/passwd"
        path = _tar_with(tmp_path / "bad.tar.gz", info)
    err = _refused(path, root)
    assert kind_word in err.message and "special" in err.message


def test_hard_links_are_refused(tmp_path: Path, root: Path) -> None:
    info = tarfile.TarInfo(f"{RUN}/{fmt.LOGS_FILE}")
    info.type, info.linkname = tarfile.LNKTYPE, f"{RUN}/{fmt.META_FILE}"
    err = _refused(_tar_with(tmp_path / "bad.tar.gz", info), root)
    assert "hard link" in err.message


@pytest.mark.parametrize("kind", KINDS)
def test_too_many_entries_are_refused(tmp_path: Path, root: Path, kind: str) -> None:
    members = [*run_members(RUN), *((f"{RUN}/media/{i}.txt", b"x") for i in range(10))]
    path = make_archive(tmp_path / f"many.{kind}", members, kind)
    err = _refused(path, root, archive.ArchiveLimits(max_entries=8))
    assert "more than 8 entries" in err.message and "RUNICORN_MAX_ARCHIVE_ENTRIES" in (err.hint or "")
    assert len(archive.import_archive(path, root, archive.ArchiveLimits(max_entries=20))) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_archives_unpacking_past_the_size_cap_are_refused(tmp_path: Path, root: Path, kind: str) -> None:
    path = make_archive(
        tmp_path / f"big.{kind}", [*run_members(RUN), (f"{RUN}/blob", os.urandom(50_000))], kind
    )
    err = _refused(path, root, archive.ArchiveLimits(max_bytes=40_000))
    assert "more than 40000 bytes" in err.message and "RUNICORN_MAX_ARCHIVE_BYTES" in (err.hint or "")


@pytest.mark.parametrize("kind", KINDS)
def test_zip_bombs_are_refused_by_compression_ratio(tmp_path: Path, root: Path, kind: str) -> None:
    path = make_archive(
        tmp_path / f"bomb.{kind}", [*run_members(RUN), (f"{RUN}/zeros", bytes(8 << 20))], kind
    )
    assert path.stat().st_size < 100_000
    err = _refused(path, root)
    assert "zip bomb" in err.message


@pytest.mark.parametrize("kind", KINDS)
def test_archives_inside_a_run_are_plain_files_copied_unopened(tmp_path: Path, root: Path, kind: str) -> None:
    bomb = io.BytesIO()  # 64 MiB of zeros in a zip of a few kB: opened, it would pass every limit
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros", bytes(64 << 20))
    inner = {
        f"{RUN}/files/model.pt": bomb.getvalue(),
        f"{RUN}/files/data.tar.gz": gzip.compress(b"a gzip stream"),
        f"{RUN}/files/innocent.dat": b"PK\x03\x04" + bytes(40),
    }
    path = make_archive(tmp_path / f"inner.{kind}", [*run_members(RUN), *inner.items()], kind)
    archive.import_archive(path, root)
    for name, content in inner.items():
        assert (root / name).read_bytes() == content


@pytest.mark.parametrize("kind", KINDS)
def test_archives_without_a_run_are_refused(tmp_path: Path, root: Path, kind: str) -> None:
    path = make_archive(
        tmp_path / f"empty.{kind}", [("notes/readme.txt", b"hi"), ("media/meta.json", b"{}")], kind
    )
    err = _refused(path, root)
    assert "holds no run" in err.message and fmt.META_FILE in err.message


@pytest.mark.parametrize("kind", KINDS)
def test_duplicate_entries_are_refused(tmp_path: Path, root: Path, kind: str) -> None:
    members = [*run_members(RUN), (f"{RUN}/{fmt.META_FILE}", b'{"id": "other"}')]
    if kind == "zip":
        with pytest.warns(UserWarning, match="Duplicate name"):
            path = make_archive(tmp_path / "dup.zip", members, kind)
    else:
        path = make_archive(tmp_path / "dup.tar.gz", members, kind)
    assert "appears twice" in _refused(path, root).message


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("damage", [_truncate, _flip_middle], ids=["truncated", "corrupt"])
def test_truncated_or_corrupt_archives_are_refused(
    tmp_path: Path, root: Path, kind: str, damage: Callable[[Path], None]
) -> None:
    source = tmp_path / "source"
    write_run(source, "q", "m", steps=3000)
    path = tmp_path / f"runs.{kind}"
    archive.export_runs(source, path, archive.select_runs(source))
    damage(path)
    err = _refused(path, root)
    assert "truncated or corrupt" in err.message or "manifest" in err.message
    assert not (root / "q").exists()


def test_files_that_are_not_archives_are_refused(tmp_path: Path, root: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("just some text\n")
    err = _refused(path, root)
    assert "not a zip or tar archive" in err.message and ".tar.gz" in (err.hint or "")


def test_a_damaged_archive_leaves_no_new_storage_root_behind(tmp_path: Path) -> None:
    source = tmp_path / "source"
    write_run(source, "q", "m", steps=3000)
    path = tmp_path / "runs.zip"
    archive.export_runs(source, path, archive.select_runs(source))
    _flip_middle(path)
    with pytest.raises(ArchiveError, match="truncated or corrupt|manifest"):
        archive.import_archive(path, tmp_path / "new-root")
    assert not (tmp_path / "new-root").exists()


def test_encrypted_zip_entries_are_refused(tmp_path: Path, root: Path) -> None:
    path = make_archive(tmp_path / "locked.zip", run_members(RUN), "zip")
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")  # first central directory record: set its "encrypted" flag bit
    data[at + 8] |= 0x1
    path.write_bytes(bytes(data))
    err = _refused(path, root)
    assert "is encrypted" in err.message


@pytest.mark.parametrize("kind", KINDS)
def test_randomly_damaged_archives_import_exactly_or_not_at_all(tmp_path: Path, kind: str) -> None:
    import random

    source = tmp_path / "source"
    write_run(source, "q", "m", steps=200)
    good = tmp_path / f"good.{kind}"
    archive.export_runs(source, good, archive.select_runs(source))
    data = good.read_bytes()
    rng = random.Random(1234)
    for attempt in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / f"damaged-{attempt}.{kind}"
        path.write_bytes(bytes(damaged))
        root = tmp_path / f"root-{attempt}"
        try:
            archive.import_archive(path, root)
        except ArchiveError:
            assert not root.exists(), "a refused archive leaves nothing behind"
        else:  # the damage missed the content (a date, a padding byte): the manifest vouches for it
            assert tree_hashes(root) == tree_hashes(source)
