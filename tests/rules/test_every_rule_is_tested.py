"""Every registered rule has its test file, and that file has a passing
case, a failing case and a waiver case.

The convention the check reads (see tests/rules/harness.py):

* the file is ``tests/rules/<family>/test_<module>.py`` (``govcheck explain``
  prints that path);
* it holds a ``@pytest.mark.parametrize`` table whose argument names end in
  ``expected``; a row whose ``expected`` is an empty list literal is a
  passing case, a row whose ``expected`` is a non-empty list literal a
  failing one (rows may be plain tuples or ``pytest.param(...)``);
* it defines a test function whose name starts with ``test_waiver``: what a
  waiver does to the rule's findings (marks them, or, for repo and post
  rules, does not reach them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from govcheck.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]


def _argnames(call: ast.Call) -> list[str]:
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return [a.strip() for a in first.value.split(",")]
    if isinstance(first, (ast.List, ast.Tuple)):
        return [e.value for e in first.elts if isinstance(e, ast.Constant)]
    return []


def _rows(call: ast.Call) -> list[list[ast.expr]]:
    table = call.args[1] if len(call.args) > 1 else None
    if not isinstance(table, (ast.List, ast.Tuple)):
        return []
    rows = []
    for row in table.elts:
        if isinstance(row, ast.Call) and getattr(row.func, "attr", "") == "param":
            rows.append(list(row.args))
        elif isinstance(row, ast.Tuple):
            rows.append(list(row.elts))
    return rows


def case_kinds(source: str) -> dict[str, int]:
    """How many passing and failing table rows, and waiver tests, ``source`` has."""
    kinds = {"passing": 0, "failing": 0, "waiver": 0}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_waiver"):
            kinds["waiver"] += 1
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize"):
            continue
        names = _argnames(node)
        if not names or names[-1] != "expected":
            continue
        at = len(names) - 1
        for row in _rows(node):
            if len(row) != len(names):
                continue
            expected = row[at]
            if isinstance(expected, (ast.List, ast.Tuple)):
                kinds["passing" if not expected.elts else "failing"] += 1
    return kinds


RULES = all_rules()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_passing_failing_and_waiver_cases(rule_id):
    spec = RULES[rule_id]
    path = ROOT / spec.tests_path
    assert path.is_file(), f"{rule_id}: no {spec.tests_path}"
    kinds = case_kinds(path.read_text(encoding="utf-8"))
    assert kinds["passing"] >= 1, f"{spec.tests_path}: no passing case (a row with expected [])"
    assert kinds["failing"] >= 1, f"{spec.tests_path}: no failing case (a row with a non-empty expected)"
    assert kinds["waiver"] >= 1, f"{spec.tests_path}: no test_waiver_* case"


def test_no_test_file_without_a_rule():
    expected = {ROOT / spec.tests_path for spec in RULES.values()}
    found = set((ROOT / "tests" / "rules").glob("*/test_*.py"))
    assert found <= expected, sorted(str(p.relative_to(ROOT)) for p in found - expected)


def test_the_check_reads_the_convention():
    table = '''
@pytest.mark.parametrize("packet_text, expected", [
    pytest.param(GOOD, [], id="passes"),
    (BROKEN, ["it fails"]),
])
def test_x(packet_text, expected): ...
'''
    assert case_kinds(table) == {"passing": 1, "failing": 1, "waiver": 0}
    assert case_kinds(table + "def test_waiver_marks_it(): ...\n")["waiver"] == 1
    only_passing = table.replace('(BROKEN, ["it fails"]),', "")
    assert case_kinds(only_passing) == {"passing": 1, "failing": 0, "waiver": 0}
    other_table = table.replace('"packet_text, expected"', '"packet_text, result"')
    assert case_kinds(other_table) == {"passing": 0, "failing": 0, "waiver": 0}
