"""Which files of the built web UI may be served (docs/viewer.md#web-ui)."""

from __future__ import annotations

import os
from pathlib import Path

from runicorn.viewer.routes_metrics import split_list
from runicorn.viewer.web_ui import _build_file


def test_only_files_inside_the_build_are_served(tmp_path: Path) -> None:
    dist = tmp_path / "web_dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("ui")
    (dist / "assets" / "app.js").write_text("js")
    (tmp_path / "secret.txt").write_text("no")
    os.symlink(tmp_path / "secret.txt", dist / "assets" / "link.js")
    assert _build_file(dist, "assets/app.js") == (dist / "assets" / "app.js").resolve()
    for bad in [
        "../secret.txt",
        "assets/../../secret.txt",
        "/etc/passwd",
        "assets/link.js",
        "assets",
        "",
        "a\x00b",
        "..\\secret.txt",
        "missing.js",
    ]:
        assert _build_file(dist, bad) is None, bad


def test_comma_lists_drop_blanks() -> None:
    assert split_list(" a, b,,c ,") == ["a", "b", "c"] and split_list(None) == []
