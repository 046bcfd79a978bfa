"""The on-disk contract: ids, layouts, line encoding, atomic JSON, and docs/format.md covering it."""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_json_atomic

DOC = Path(__file__).resolve().parents[2] / "docs" / "format.md"


def test_run_ids_are_timestamped_and_unique() -> None:
    ids = {fmt.new_run_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(fmt.RUN_ID_PATTERN.match(i) for i in ids)


def test_unsafe_ids_are_refused() -> None:
    for bad in (
        "..",
        ".",
        "../x",
        "a/b",
        "/abs",
        "a\\b",
        "",
        ".hidden",
        "x" * 200,
        "a\x00b",
        "exp\n",
        "run\n",
    ):
        assert not fmt.is_safe_id(bad), bad
    assert fmt.is_safe_id("20261123_101500_ab12cd") and fmt.is_safe_id("exp-1.v2")


def test_every_layout_is_located(tmp_path: Path) -> None:
    root = tmp_path
    ours = fmt.locate_run(root, root / "p" / "n" / "runs" / "id1")
    assert (ours.project, ours.name, ours.run_id, ours.layout) == ("p", "n", "id1", "project_name")
    flat = fmt.locate_run(root, root / "runs" / "id2")
    assert (flat.project, flat.name, flat.layout) == (fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME, "legacy_flat")
    deep = fmt.locate_run(root, root / "runs" / "vision" / "resnet" / "v2" / "id3")
    assert (deep.project, deep.name, deep.layout) == ("vision", "resnet/v2", "legacy_path")
    assert fmt.locate_run(root, root / "runs" / ".recycle" / "id4") is None
    assert fmt.locate_run(root, tmp_path.parent / "elsewhere") is None


def test_event_lines_round_trip_nan_and_reject_garbage() -> None:
    line = fmt.encode_event(fmt.METRICS, {"a": math.nan, "b": -math.inf, "global_step": 1}, 1.0)
    assert line.endswith(b"\n") and b"NaN" in line and b"-Infinity" in line
    back = fmt.decode_event(line)
    assert math.isnan(back["data"]["a"]) and back["data"]["b"] == -math.inf
    for junk in (b"{not json", b"\x00\xff\xfe", b"[1,2]", b'{"ts":1,"type":"metrics"}', b'"str"'):
        assert fmt.decode_event(junk) is None


def test_split_complete_lines_leaves_a_truncated_tail() -> None:
    lines, used = fmt.split_complete_lines(b'{"a":1}\n\n{"b":2}\n{"c":')
    assert lines == [b'{"a":1}', b'{"b":2}'] and used == len(b'{"a":1}\n\n{"b":2}\n')


def test_json_files_are_replaced_atomically_and_read_tolerantly(tmp_path: Path) -> None:
    path = tmp_path / fmt.STATUS_FILE
    write_json_atomic(path, {"status": "running", "x": math.inf})
    assert fmt.read_json(path)["x"] == math.inf
    assert [p.name for p in tmp_path.iterdir()] == [fmt.STATUS_FILE]  # no temp file left
    path.write_text("{broken")
    assert fmt.read_json(path) is None
    assert fmt.read_json(tmp_path / "missing.json") is None


def test_credentials_are_stripped_from_git_urls() -> None:
    assert fmt.strip_url_credentials("https://user:tok@github.com/a/b.git") == "https://github.com/a/b.git"
    assert fmt.strip_url_credentials("git@github.com:a/b.git") == "git@github.com:a/b.git"


def test_format_doc_names_every_file_and_record_kind() -> None:
    doc = DOC.read_text()
    names = [
        fmt.META_FILE,
        fmt.STATUS_FILE,
        fmt.SUMMARY_FILE,
        fmt.CONFIG_FILE,
        fmt.EVENTS_FILE,
        fmt.LOGS_FILE,
        fmt.MEDIA_DIR,
        fmt.GIT_DIFF_FILE,
        fmt.TRACEBACK_FILE,
        *fmt.RECORD_KINDS,
        *fmt.ALL_STATUSES,
        fmt.STEP_KEY,
        fmt.TIME_KEY,
        fmt.STAGE_KEY,
        fmt.BUCKET_MANIFEST_FILE,
        fmt.BUCKET_INDEX_FILE,
        *fmt.TRIAL_STATUSES,
        fmt.EARLY_STOP_REASON,
    ]
    missing = [n for n in names if f"`{n}`" not in doc]
    assert not missing, f"docs/format.md does not mention {missing}"


def test_format_doc_names_every_public_constant() -> None:
    doc = DOC.read_text()
    constants = [name for name in dir(fmt) if re.fullmatch(r"[A-Z][A-Z0-9_]*", name)]
    assert len(constants) > 100  # the whole contract, re-exported by runicorn.format
    missing = [name for name in constants if f"`{name}`" not in doc]
    assert not missing, f"docs/format.md does not name {missing}"


def test_every_format_module_is_re_exported_by_runicorn_format() -> None:
    modules = sorted(p.stem for p in Path(fmt.__file__).parent.glob("*.py") if p.stem != "__init__")
    for name in modules:
        module = importlib.import_module(f"runicorn.format.{name}")
        assert module.__all__, name
        assert all(getattr(fmt, attr) is getattr(module, attr) for attr in module.__all__), name
