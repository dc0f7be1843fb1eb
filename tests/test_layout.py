"""The package's layout keeps its seams: no import circles, teaching apart from cleaning, small modules.

Read from the source with `ast` (every import, also those inside functions
and under TYPE_CHECKING), so a lazy import cannot hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "declutter"
#: A module longer than this has more than one job (STYLE.md: "a few hundred lines").
MAX_LINES = 400
#: The teaching side, and the one CLI module that runs it.
TEACHING = ("declutter.teach", "declutter.cli.teach")


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import of `module` inside declutter."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.startswith("declutter")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module).split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("declutter"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub, None) if sub in MODULES else (target, alias.name))
    return found


GRAPH = {m: sorted({t for t, _ in _imports(m) if t in MODULES and t != m}) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles():
    assert _cycles() == []


def test_no_private_name_is_imported_from_another_package():
    offenders = [
        f"{m} imports {name} from {target}"
        for m in MODULES
        for target, name in _imports(m)
        if name and name.startswith("_") and not name.startswith("__") and _package_of(target) != _package_of(m)
    ]
    assert offenders == []


def _teaching(module: str) -> bool:
    return any(module == t or module.startswith(t + ".") for t in TEACHING)


def test_the_cleaning_side_imports_nothing_from_the_teaching_side():
    # The CLI's entry points register the teaching subcommands, whose module
    # imports declutter.teach only inside the functions that run them.
    entry = {"declutter.cli", "declutter.cli.main", "declutter.__main__"}
    cleaning = [m for m in MODULES if not _teaching(m) and m not in entry]
    reach = {m: set(GRAPH[m]) for m in cleaning}
    changed = True
    while changed:
        changed = False
        for m in cleaning:
            more = set().union(*(GRAPH[t] for t in reach[m])) - reach[m]
            if more:
                reach[m] |= more
                changed = True
    offenders = {m: sorted(t for t in reach[m] if _teaching(t)) for m in cleaning}
    assert {m: t for m, t in offenders.items() if t} == {}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_stays_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job"


def test_the_public_api():
    import declutter

    assert set(declutter.__all__) == {
        "clean", "clean_and_explain", "Cleaner", "Config", "Line", "Repair", "Result",
        "DeclutterError", "InputError", "ModelError", "__version__",
    }
    assert all(hasattr(declutter, name) for name in declutter.__all__)
