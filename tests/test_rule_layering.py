"""Rules read the model and the context, nothing else: no file system, no
processes, no pipeline. Every module under govcheck/rules/ is parsed (not
imported) and its imports checked, wherever they sit (a function-level
import counts too).

Allowed: the standard library minus what reaches the file system or runs
processes, ``pathlib.PurePosixPath``, govcheck.model / parse / analysis /
errors / util, the registry (``govcheck.rules``), and
``govcheck.engine.context`` under ``TYPE_CHECKING`` only (a rule needs the
Context's type, not the engine). A rule module never imports another rule
module: what two rules share lives in govcheck/analysis or govcheck/parse.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "govcheck" / "rules"

# Standard-library modules that touch the file system or run processes.
FORBIDDEN_STDLIB = ("os", "subprocess", "shutil", "glob", "pathlib", "tempfile", "io", "fnmatch")
# govcheck layers above the rules (or beside them, in the pipeline).
FORBIDDEN_LAYERS = ("govcheck.engine", "govcheck.cache", "govcheck.run", "govcheck.report", "govcheck.cli",
                    "govcheck.commands", "govcheck.repo")
CONTEXT = "govcheck.engine.context"


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _absolute(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    base = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(base + ([module] if module else []))


def layering_violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """What ``source`` (the text of rules module ``module``) imports that a
    rule may not, one message per import; [] when it keeps to its layer."""
    tree = ast.parse(source)
    guarded = _type_checking_lines(tree)
    package = module if is_package else module.rsplit(".", 1)[0]
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            names = [(base, alias.name) for alias in node.names]
        else:
            continue
        for name, what in names:
            full = f"{name}.{what}" if what else name
            where = f"line {node.lineno}: {full}"
            top = name.split(".")[0]
            if top in FORBIDDEN_STDLIB:
                if name == "pathlib" and what == "PurePosixPath":
                    continue
                out.append(f"{where} (file system or processes)")
            elif _under(name, CONTEXT) or (name == "govcheck.engine" and what == "context"):
                if node.lineno not in guarded:
                    out.append(f"{where} (import the Context under TYPE_CHECKING only)")
            elif any(_under(full, layer) for layer in FORBIDDEN_LAYERS) or (
                name == "govcheck" and what in {layer.split(".")[1] for layer in FORBIDDEN_LAYERS}
            ):
                out.append(f"{where} (a layer rules may not reach)")
            elif _under(full, "govcheck.rules") and full != "govcheck.rules" and not (
                name == "govcheck.rules" and what is not None and not _is_submodule(what)
            ):
                # the registry (from govcheck.rules import rule, hit, ERROR) is fine;
                # a family package may import its own rule modules.
                own = is_package and _under(full, module)
                if not own:
                    out.append(f"{where} (a rule module imports another rule module)")
    return out


def _is_submodule(name: str) -> bool:
    return (RULES / name).is_dir() or (RULES / f"{name}.py").is_file()


def _rule_modules() -> list[Path]:
    return sorted(RULES.rglob("*.py"))


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


@pytest.mark.parametrize("path", _rule_modules(), ids=lambda p: str(p.relative_to(RULES)))
def test_rule_module_keeps_to_its_layer(path: Path):
    module, is_package = _module_name(path)
    assert layering_violations(path.read_text(encoding="utf-8"), module, is_package=is_package) == []


def test_every_rule_sits_in_a_family_package():
    from govcheck.rules import all_rules

    for spec in all_rules().values():
        assert spec.check.__module__ == f"govcheck.rules.{spec.family}.{spec.module_name}", spec.id
        assert spec.module_name == spec.id.replace("-", "_"), spec.id


GOOD = """
from __future__ import annotations
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from govcheck.analysis.text import split_lines
from govcheck.model import Finding
from govcheck.rules import ERROR, hit, rule
if TYPE_CHECKING:
    from govcheck.engine.context import Context
"""


@pytest.mark.parametrize(
    "planted, expected",
    [
        ("import os", "os"),
        ("import os.path", "os.path"),
        ("import subprocess", "subprocess"),
        ("from shutil import copy", "shutil.copy"),
        ("import glob", "glob"),
        ("from pathlib import Path", "pathlib.Path"),
        ("import pathlib", "pathlib"),
        ("from govcheck.engine.context import Context", "govcheck.engine.context.Context"),
        ("from govcheck.engine import checks", "govcheck.engine.checks"),
        ("from govcheck.engine.validate import validate", "govcheck.engine.validate.validate"),
        ("import govcheck.cache.results", "govcheck.cache.results"),
        ("from govcheck.run.execute import run_packets", "govcheck.run.execute.run_packets"),
        ("from govcheck.report import json", "govcheck.report.json"),
        ("from govcheck import cli", "govcheck.cli"),
        ("from govcheck.commands.append import appended_reports", "govcheck.commands.append.appended_reports"),
        ("from govcheck.repo.repository import Repo", "govcheck.repo.repository.Repo"),
        ("from govcheck.rules.spec.spec_stale import spec_stale", "govcheck.rules.spec.spec_stale.spec_stale"),
        ("from govcheck.rules import spec", "govcheck.rules.spec"),
        ("from ..spec import spec_stale", "govcheck.rules.spec.spec_stale"),
        ("def f():\n    import subprocess\n    return subprocess", "subprocess"),
    ],
)
def test_a_planted_import_is_caught(planted, expected):
    module = "govcheck.rules.hygiene.example_rule"
    assert layering_violations(GOOD, module) == []
    found = layering_violations(GOOD + planted + "\n", module)
    assert len(found) == 1 and f": {expected} (" in found[0], found


def test_a_planted_module_on_disk_is_caught(tmp_path):
    planted = tmp_path / "planted_rule.py"
    planted.write_text(GOOD + "import subprocess\nfrom govcheck.engine.checks import check_packet\n", encoding="utf-8")
    found = layering_violations(planted.read_text(encoding="utf-8"), "govcheck.rules.scan.planted_rule")
    assert [f.split(" (")[0] for f in found] == ["line 11: subprocess", "line 12: govcheck.engine.checks.check_packet"]


def test_a_family_package_may_import_its_own_rule_modules():
    source = "from govcheck.rules.spec import spec_ahead, spec_stale  # noqa: F401\n"
    assert layering_violations(source, "govcheck.rules.spec", is_package=True) == []
    assert layering_violations(source, "govcheck.rules.hygiene", is_package=True) != []
