"""The shortcuts rules take for speed must never change an answer.

Each prefilter, bound or cache is checked against the plain computation it
stands in for, on edge cases and on many seeded random inputs."""

from __future__ import annotations

import difflib
import random

import pytest

from govcheck.model import EvidenceMapping
from govcheck.rules import done_means

WORDS = ("the", "queue", "lease", "expires", "storage", "trait", "returns", "error", "a", "an", "tests",
         "pass", "cargo", "test", "works", "properly", "backend", "agnostic", "exposes", "methods")


def _lcs_table(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for ch in a:
        prev = 0
        for j, other in enumerate(b, 1):
            cur = row[j]
            row[j] = prev + 1 if ch == other else max(row[j], row[j - 1])
            prev = cur
    return row[-1]


def _sentence(rng: random.Random, lo: int = 1, hi: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def _mutated(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(0, max(1, len(chars) // 4))):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars and pos < len(chars):
            del chars[pos]
        elif op < 0.7:
            chars.insert(pos, rng.choice("abcdefgh "))
        elif chars and pos < len(chars):
            chars[pos] = rng.choice("xyz ")
    return "".join(chars)


@pytest.mark.parametrize("a,b", [("", ""), ("", "abc"), ("abc", ""), ("abc", "abc"), ("abcbdab", "bdcaba"),
                                 ("aaaa", "aa"), ("ab" * 150, "ba" * 140)])
def test_lcs_length_edge_cases(a, b):
    assert done_means.lcs_length(a, b) == _lcs_table(a, b)


def test_lcs_length_matches_the_table():
    rng = random.Random(1)
    for _ in range(400):
        a = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 70)))
        b = "".join(rng.choice("abcd ") for _ in range(rng.randint(0, 70)))
        assert done_means.lcs_length(a, b) == _lcs_table(a, b) == done_means.lcs_length(b, a)


def test_ratio_bound_never_rejects_a_reachable_ratio():
    """may_reach_ratio(a, b, floor) is False only when ratio() < floor,
    including long strings (SequenceMatcher's autojunk starts at 200)."""
    rng = random.Random(2)
    checked = 0
    for i in range(1500):
        a = _sentence(rng, 1, 60 if i % 5 else 120)
        b = _mutated(rng, a) if rng.random() < 0.7 else _sentence(rng, 1, 60)
        ratio = difflib.SequenceMatcher(None, a, b).ratio()
        for floor in (0.0, 0.5, 0.75, ratio, 0.9, 1.0):
            if not done_means.may_reach_ratio(a, b, floor):
                assert ratio < floor, (a, b, floor, ratio)
                checked += 1
    assert checked > 100  # the bound does reject pairs


def _match_mapping_reference(criterion, mappings):
    """match_mapping as it was before the LCS bound (quick_ratio bounds only)."""
    want = done_means._norm(criterion)
    best, best_ratio = None, 0.0
    for m in mappings:
        got = done_means._norm(m.requirement)
        if not got:
            continue
        if got == want or want.startswith(got) or got.startswith(want):
            return m
        matcher = difflib.SequenceMatcher(None, want, got)
        floor = max(best_ratio, 0.75)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = m, ratio
    return best if best_ratio >= 0.75 else None


def test_match_mapping_same_choice_as_reference():
    rng = random.Random(3)
    matched = 0
    for _ in range(600):
        criterion = _sentence(rng, 3, 25)
        reqs = [_mutated(rng, criterion) if rng.random() < 0.5 else _sentence(rng, 3, 25)
                for _ in range(rng.randint(0, 6))]
        mappings = [EvidenceMapping(requirement=r, line=n, evidence=()) for n, r in enumerate(reqs, 1)]
        got = done_means.match_mapping(criterion, mappings)
        assert got is _match_mapping_reference(criterion, mappings)
        matched += got is not None
    assert matched > 50
