"""Hostile packets (packets come from untrusted pull requests): the linear
scans that replaced quadratic regexes give the same answers, and input
beyond the parser's limits becomes a finding with file and line, never a
crash. (Speed is measured in bench/hostile_inputs.py, not here.)"""

from __future__ import annotations

import random
import re

import pytest

from govcheck.parse import packet as P


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
