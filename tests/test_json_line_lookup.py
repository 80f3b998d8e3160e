"""JsonDocument.line_of looks paths up in the text on demand; it must give
the line the full map (``_map_lines``) gives, for every path and for paths
that do not exist (nearest enclosing value), repeated keys included."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from govcheck.parse.json_source import _map_lines, loads_with_lines, mapped_line_of

ROOT = Path(__file__).resolve().parent.parent


def _assert_same(text: str) -> int:
    doc = loads_with_lines(text)
    assert doc.text is not None
    lines = _map_lines(doc.text)
    assert doc.lines == lines
    paths = list(lines)
    probes = paths + [p + (k,) for p in paths for k in ("a", "b", "ab", "nope", 0, 1, 3, 999)] + [(), ("x", "y"), (0,)]
    for path in probes:
        assert doc.line_of(path) == mapped_line_of(lines, path), (text, path)
    return len(probes)


def _random_json(rnd: random.Random, depth: int = 0) -> str:
    def ws() -> str:
        return rnd.choice(["", " ", "\n", "\r\n\t ", "\n\n"])

    r = rnd.random()
    if depth > 3 or r < 0.3:
        return rnd.choice(['1', '"s\\"}]"', 'true', 'null', '-2.5e3', '"a\\nb"', '"\\u00e9"', '"[{,:"'])
    if r < 0.65:  # objects repeat keys: the first value at a path counts
        keys = [rnd.choice(["a", "b", "c", "a\\u0062"]) for _ in range(rnd.randint(0, 4))]
        members = ("," + ws()).join(f'"{k}"{ws()}:{ws()}{_random_json(rnd, depth + 1)}' for k in keys)
        return "{" + ws() + members + ws() + "}"
    return "[" + ws() + ("," + ws()).join(_random_json(rnd, depth + 1) for _ in range(rnd.randint(0, 4))) + ws() + "]"


def test_line_of_matches_the_full_map_on_generated_documents():
    rnd = random.Random(12)
    for _ in range(400):
        _assert_same(rnd.choice(["", "\n ", "\ufeff"]) + _random_json(rnd) + rnd.choice(["", "\n"]))


def test_line_of_with_a_repeated_key_finds_the_path_in_a_later_occurrence():
    text = '{\n"a": {"x": 1},\n"a": {\n"y": 2}\n}'
    doc = loads_with_lines(text)
    assert doc.line_of(("a",)) == 2
    assert doc.line_of(("a", "y")) == 4  # only the second "a" has y
    assert doc.line_of(("a", "z")) == 2  # nowhere: the first "a"
    assert doc.line_of(("b", "z")) == 1


def test_line_of_without_text_is_1():
    assert loads_with_lines("{nope").line_of(("a",)) == 1
    assert loads_with_lines('{"a": 1}', track_lines=False).line_of(("a",)) == 1


def test_line_of_matches_the_full_map_on_the_fixtures():
    files = sorted(ROOT.joinpath("fixtures").rglob("*.json"))
    if not files:
        pytest.skip("no JSON fixtures")
    checked = 0
    for p in files:
        doc = loads_with_lines(p.read_bytes())
        if doc.text is not None:
            checked += _assert_same(doc.text)
    assert checked
