"""Text helpers the rules share: a packet's lines split once, and line
searches that let a plain substring test rule lines out before a regex runs.

Several rules look at the same packet text one after another (the engine
runs all rules on one packet before the next), so the split lines and the
lower-cased text are cached for the last few texts. Both are pure
functions of the text; rules still read the text through ``ctx.repo``
(which records the dependency) and only the derived values are shared.
"""

from __future__ import annotations

import functools
import re

# Letters that re.IGNORECASE matches to a character whose str.lower() is
# another letter: "i" matches dotless "ı" (U+0131) and dotted "İ" (U+0130),
# "s" matches long "ſ" (U+017F). A lower-cased substring test can miss
# those matches, so fragments used as prefilters must avoid these letters
# (tests check every ASCII character against every code point).
_CASE_FOLD_TRAPS = frozenset("isIS")


@functools.lru_cache(maxsize=4)
def split_lines(text: str) -> tuple[str, ...]:
    """``text.split("\\n")`` as a tuple, cached (callers share it: it is
    immutable on purpose)."""
    return tuple(text.split("\n"))


@functools.lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """``text.lower()``, cached: the lower-cased text prefilters searches."""
    return text.lower()


def safe_fragment(fragment: str) -> str:
    """``fragment`` (lower case, ASCII, none of the letters i and s) for
    :func:`may_mention`; raises ValueError for a fragment whose test could
    miss a case-insensitive match."""
    if not fragment or not fragment.isascii() or fragment != fragment.lower() or set(fragment) & _CASE_FOLD_TRAPS:
        raise ValueError(f"{fragment!r} cannot prefilter a case-insensitive search")
    return fragment


def may_mention(text: str, fragment: str) -> bool:
    """False only when no case-insensitive (re.IGNORECASE) match of
    anything containing ``fragment`` can be in ``text``.

    Each character re.IGNORECASE matches to a fragment character lower-cases
    to that character (safe_fragment keeps out the letters for which that
    fails), and str.lower() maps every other character on its own, so such
    a match shows up as the fragment in the lower-cased text."""
    return fragment in lowered(text)


def lines_containing(text: str, needle: str) -> list[int]:
    """1-based numbers of the lines of ``text`` (split at "\\n") that
    contain ``needle`` (case-sensitive, no newline in it), found with
    str.find instead of a test per line."""
    found: list[int] = []
    pos = text.find(needle)
    line, last = 1, 0
    while pos >= 0:
        line += text.count("\n", last, pos)
        found.append(line)
        end = text.find("\n", pos)
        if end < 0:
            break
        line += 1
        last = end + 1
        pos = text.find(needle, last)
    return found


def lines_mentioning(text: str, phrase: str, fragment: str) -> list[int]:
    """1-based numbers of the lines of ``text`` holding ``phrase`` in any
    case (re.IGNORECASE, as re.escape(phrase) matches it), in order.

    ``fragment`` is a safe_fragment of ``phrase`` lower-cased: only lines
    whose lower-cased text holds it can match, so the regex runs on those
    lines alone. Lower-casing keeps the lines ("\\n" maps to itself and no
    character maps to "\\n"), so line numbers in the lower-cased text are
    line numbers in ``text``."""
    if safe_fragment(fragment) not in phrase.lower():
        raise ValueError(f"{fragment!r} is not part of {phrase!r}")
    if "\n" in phrase:
        raise ValueError("lines_mentioning looks for a phrase within one line")
    pattern = re.compile(re.escape(phrase), re.IGNORECASE)
    lines = split_lines(text)
    return [n for n in lines_containing(lowered(text), fragment) if pattern.search(lines[n - 1])]


# Past this many digits a number is no line number: int() of it would be
# slow, and over 4,300 digits Python refuses it (ValueError). 18 digits
# still fit in an int64 for the caches' JSON.
_MAX_LINE_DIGITS = 18
BEYOND_ANY_LINE = 10**_MAX_LINE_DIGITS


def line_number(digits: str) -> int:
    """The line a packet's ``path:LINE`` names. A number longer than any
    file can be reads as ``BEYOND_ANY_LINE``, so it "points past the end"
    of every file instead of costing the run."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_LINE_DIGITS else BEYOND_ANY_LINE
