"""The write side stays light: no module of the SDK imports the read side or the viewer, so a
training process that frames its events never loads them (the frames codec is runicorn.codec)."""

from __future__ import annotations

import ast
from pathlib import Path

import runicorn

SDK = Path(runicorn.__file__).parent / "sdk"
READ_SIDE = ("runicorn.store", "runicorn.viewer")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file, relative imports resolved."""
    package = "runicorn." + ".".join(path.relative_to(SDK.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_sdk_module_imports_the_store_or_the_viewer() -> None:
    modules = sorted(SDK.rglob("*.py"))
    assert modules, SDK
    offenders = {
        f"{path.relative_to(SDK.parent)}: {name}"
        for path in modules
        for name in imported_modules(path)
        if any(name == side or name.startswith(side + ".") for side in READ_SIDE)
    }
    assert not offenders, sorted(offenders)
