"""Hostile packets (packets come from untrusted pull requests): the linear
scans that replaced quadratic regexes give the same answers, and input
beyond the parser's limits becomes a finding with file and line, never a
crash. (Speed is measured in bench/hostile_inputs.py, not here.)"""

from __future__ import annotations

import random
import re

import pytest

from conftest import FIXTURES, GOOD_GEN2, copy_fixture, findings, validate_json, write_packet
from govcheck.parse import packet as P

WP = "WP-9-Hostile"


def _random_lines(rng: random.Random, limit: int) -> str:
    # Lengths cluster around the limit: equal, one over, one under, and
    # blank lines, with CR and spaces that are not line breaks here.
    parts = []
    for _ in range(rng.randint(0, 6)):
        n = rng.choice([0, 1, limit - 1, limit, limit + 1, limit + 2, rng.randint(0, 2 * limit)])
        parts.append("".join(rng.choice("ab \t\r-*") for _ in range(n)))
    return "\n".join(parts) + rng.choice(["", "\n", "\n\n"])


def test_long_line_scan_agrees_with_the_regex_it_replaced():
    limit = 40  # the old pattern, at a limit small enough to try many texts
    old = re.compile(r"[^\n]{%d}" % (limit + 1))
    rng = random.Random(7)
    seen = set()
    for _ in range(3000):
        text = _random_lines(rng, limit)
        expected = old.search(text) is not None
        assert P._has_long_line(text.split("\n"), limit) is expected, repr(text)
        seen.add(expected)
    assert seen == {True, False}


@pytest.mark.parametrize("length,long", [(P._MAX_PARSED_LINE, False), (P._MAX_PARSED_LINE + 1, True)])
def test_long_line_at_the_real_limit(length, long):
    text = "# T\n\n" + "x" * length + "\n- item\n"
    assert P._has_long_line(text.split("\n")) is long
    tokens, skipped = P._tokenize(text)
    assert skipped == ([3] if long else [])
    assert tokens  # the rest is still parsed


# -- size limits ---------------------------------------------------------------


def _parse(data: bytes, **limits) -> object:
    return P.parse_packet(data, packet_id="WP-1-X", path="WP-1-X.md", **limits)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_packet_over_the_byte_limit_is_one_issue_naming_the_line(newline):
    data = newline.join(b"line %d" % n for n in range(1, 101)) + newline
    # "line 1" .. "line 9" and their breaks come first; the limit falls
    # inside line 10.
    head = sum(len(b"line %d" % n) + len(newline) for n in range(1, 10))
    packet = _parse(data, max_bytes=head + 2)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("unreadable", 10)]
    assert "too large" in packet.parse_issues[0].detail
    assert packet.fields == () and packet.line_count == 101
    assert _parse(data, max_bytes=len(data)).parse_issues == ()


def test_limit_between_cr_and_lf_names_the_line_the_crlf_ends():
    data = b"a\r\nb\r\nc\r\n"
    # The first byte past the limit: the CR ending line 2, the LF after
    # it (the limit splits the CRLF), then the "c" of line 3.
    assert [_parse(data, max_bytes=n).parse_issues[0].line for n in (4, 5, 6)] == [2, 2, 3]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_packet_over_the_line_limit(newline):
    lines = [b"- item"] * 30
    packet = _parse(newline.join(lines), max_lines=29)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("unreadable", 30)]
    assert "30 lines" in packet.parse_issues[0].detail
    # A final line break ends the last line; it does not add one.
    assert _parse(newline.join(lines) + newline, max_lines=30).parse_issues == ()


def test_packet_over_the_default_line_limit_gets_only_that_finding(storage_repo):
    text = GOOD_GEN2 + "\n## NOTES\n" + "- item\n" * P.MAX_PACKET_LINES
    write_packet(storage_repo, WP, text)
    code, report = validate_json(storage_repo, WP)
    assert code == 1
    got = findings(report, WP)
    assert [(f["rule"], f["line"]) for f in got] == [("packet-unreadable", P.MAX_PACKET_LINES + 1)]
    assert got[0]["path"].endswith(f"{WP}.md") and "too long to check" in got[0]["message"]


# -- packet.json ---------------------------------------------------------------


JSON_WP = "WP-3-Contract-Packet"


def _json_repo(tmp_path, text: str):
    repo = copy_fixture(FIXTURES / "layout-json", tmp_path / "r")
    (repo / f".GOV/task_packets/{JSON_WP}/packet.json").write_text(text)
    return repo


@pytest.mark.parametrize("prefix,line", [("", 1), ('{\n  "scope": {\n    "spec_anchors":\n', 4)])
def test_deeply_nested_packet_json_is_a_finding_not_a_crash(tmp_path, prefix, line):
    depth = 100_000
    repo = _json_repo(tmp_path, prefix + "[" * depth + "]" * depth)
    code, report = validate_json(repo, JSON_WP)
    assert code == 1
    got = findings(report, JSON_WP, "packet-unreadable")
    assert [(f["path"], f["line"]) for f in got] == [(f".GOV/task_packets/{JSON_WP}/packet.json", line)]
    assert f"{depth + prefix.count('{'):,} levels deep" in got[0]["message"]


def test_json_nesting_scan_skips_brackets_in_strings():
    from govcheck.parse.packet_json import _deepest

    assert _deepest('{"a": "[[[\\"[[", "b": [\n[1]]}') == (3, 2)
    assert _deepest('"unterminated [[[\n[[') == (2, 2)


def test_packet_json_over_the_byte_limit(tmp_path):
    packet = _parse(b"# WP-1-X\n", packet_json=b'{"a": "' + b"x" * 100 + b'"}', max_bytes=50)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("packet-json-invalid", 1)]
