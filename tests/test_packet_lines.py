"""Line helpers of the packet parser that answer what a per-line loop
would, faster: they must answer exactly as that loop does."""

from __future__ import annotations

import random

from govcheck.parse.packet import _Doc


def test_lines_holding_a_word_as_casefold_says():
    r = random.Random(3)
    pieces = ["spec", "SPEC", "Spec", "\u017fpec", "sp", "ec", "\n", "x", "\u00e9", "\u00df", "specspec", " ",
              "Master Spec v02.1", "\u00c3\u00a9"]
    for _ in range(20_000):
        text = "".join(r.choice(pieces) for _ in range(r.randint(0, 15)))
        doc = _Doc(text)
        expected = [n for n, raw in enumerate(doc.match_lines, 1) if "spec" in raw.casefold()]
        assert doc.lines_holding("spec") == expected, repr(text)


def test_lines_holding_on_ascii_and_non_ascii_text():
    assert _Doc("a\nthe SPEC\nb spec spec\n\nSpecial").lines_holding("spec") == [2, 3, 5]
    assert _Doc("caf\u00e9\nMaster \u017fpec v1").lines_holding("spec") == [2]  # long s folds to s
