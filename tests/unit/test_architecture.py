"""docs/architecture.md is the map of the package: it names every room of ``runicorn/``."""

from __future__ import annotations

from pathlib import Path

import runicorn

PACKAGE = Path(runicorn.__file__).parent
MAP = PACKAGE.parent / "docs" / "architecture.md"


def rooms() -> list[str]:
    names = []
    for entry in sorted(PACKAGE.iterdir()):
        if entry.name.startswith(("_", ".")) and entry.name != "__init__.py":
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            names.append(entry.name + "/")
        elif entry.suffix == ".py":
            names.append(entry.name)
    return names


def test_the_map_names_every_room_of_the_package() -> None:
    text = MAP.read_text(encoding="utf-8")
    missing = [name for name in rooms() if f"`{name}`" not in text]
    assert not missing, f"docs/architecture.md does not name: {', '.join(missing)}"
