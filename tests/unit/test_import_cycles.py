"""The modules of ``runicorn/`` import each other without a circle (docs: the import directions of
the house style). Module-level imports must form none; imports inside functions (made lazily, at
call time) are checked too, so that a circle hidden in a function is seen before it bites.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import runicorn

PACKAGE = Path(runicorn.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "web_dist" not in p.parts}


def _resolve(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = here.split(".") if is_package else here.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(node: ast.AST, here: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The modules of the package one import statement loads (``from a import b``: ``a.b`` when
    ``b`` is a module, else ``a``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                yield alias.name
    elif isinstance(node, ast.ImportFrom):
        source = _resolve(node, here, is_package)
        for alias in node.names:
            if f"{source}.{alias.name}" in known:
                yield f"{source}.{alias.name}"
            elif source in known:
                yield source


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterator[tuple[ast.AST, bool]]:
    """Each import statement, with whether it runs at import time (module level, also inside a
    module-level ``if``/``try``) or later (inside a function). ``if TYPE_CHECKING:`` never runs."""
    stack: list[tuple[ast.AST, bool]] = [(child, True) for child in tree.body]
    while stack:
        node, at_import = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend((child, at_import) for child in node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, at_import
            continue
        lazy = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        stack.extend((child, at_import and not lazy) for child in ast.iter_child_nodes(node))


def import_graph(module_level_only: bool) -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        for node, at_import in _imports(tree):
            if module_level_only and not at_import:
                continue
            for target in _targets(node, name, is_package, known):
                if target != name and not name.startswith(target + "."):  # a package's own parents
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each as one circle found in it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # iterative, so that deep graphs need no recursion limit
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return [_one_circle(graph, group) for group in groups]


def _one_circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return sorted(group)


def _report(found: list[list[str]]) -> str:
    return "\n".join(" -> ".join(circle) for circle in found)


def test_the_finder_sees_a_circle_and_a_lazy_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    tree = ast.parse("import x\nif TYPE_CHECKING:\n    import y\ndef f():\n    import z\n")
    seen = [(node.names[0].name, at_import) for node, at_import in _imports(tree)]  # type: ignore[attr-defined]
    assert sorted(seen) == [("x", True), ("z", False)]


def test_no_module_level_import_circle() -> None:
    found = cycles(import_graph(module_level_only=True))
    assert not found, "modules of runicorn/ import each other in a circle:\n" + _report(found)


def test_no_import_circle_even_through_imports_inside_functions() -> None:
    found = cycles(import_graph(module_level_only=False))
    assert not found, "modules import each other in a circle (some inside functions):\n" + _report(found)
