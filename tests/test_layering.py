"""The package structure: imports flow one way (no cycle between modules),
and an import inside a function is there only for a real cost, said in a
comment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "govcheck"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> list[str]:
    """govcheck modules an import statement loads (``from pkg import mod``
    counts as importing ``pkg.mod`` when that is a module)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            pkg = module.split(".") if is_package else module.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join(pkg + ([base] if base else []))
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    return [n for n in names if n in known]


def import_graph(typing_only: bool = False) -> dict[str, set[str]]:
    """module -> govcheck modules it imports (imports under ``if
    TYPE_CHECKING`` excluded: they never run)."""
    mods = _modules()
    known = set(mods)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            for target in _imported(node, mod, path.name == "__init__.py", known):
                if target != mod:
                    graph[mod].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_govcheck_modules():
    found = cycles(import_graph())
    assert not found, f"import cycles: {found}"


def function_local_imports() -> list[tuple[str, int, bool]]:
    """(file, line, commented) for every import inside a function body;
    commented: a comment on its line or in the block of imports, comments
    and blank lines right above it says why."""
    out = []
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    k = node.lineno - 1
                    commented = "#" in lines[k]
                    while not commented and k > 0:
                        k -= 1
                        above = lines[k].strip()
                        if above.startswith("#"):
                            commented = True
                        elif above and not above.startswith(("from ", "import ")):
                            break
                    out.append((str(path.relative_to(ROOT)), node.lineno, commented))
    return out


def test_every_function_local_import_says_why():
    silent = sorted({(f, n) for f, n, commented in function_local_imports() if not commented})
    assert not silent, f"imports inside functions without a comment saying why: {silent}"
