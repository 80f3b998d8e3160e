"""The shortcuts rules take for speed must never change an answer.

Each prefilter, bound or cache is checked against the plain computation it
stands in for, on edge cases and on many seeded random inputs."""

from __future__ import annotations

import difflib
import random
import re
import sys

import pytest

from govcheck.analysis import done_means
from govcheck.model import EvidenceMapping

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


# -- analysis/text.py: line searches and their prefilters -------------------------

from govcheck.analysis import text as _text  # noqa: E402

# Characters that case-fold in surprising ways (dotless and dotted i, long s,
# Kelvin sign, final sigma, sharp s, ligatures) next to plain ones.
TRICKY = "ıİſKΣσςßﬀﬁ\u0307\u00e9\u00c9"


def _lines_mentioning_reference(text: str, phrase: str) -> list[int]:
    """The scan hygiene used before the prefilter: one regex over the text."""
    found: list[int] = []
    last_pos, last_line = 0, 1
    for m in re.finditer(re.escape(phrase), text, re.IGNORECASE):
        line = last_line + text.count("\n", last_pos, m.start())
        last_pos, last_line = m.start(), line
        if not found or found[-1] != line:
            found.append(line)
    return found


def _noisy_text(rng: random.Random, phrase: str) -> str:
    out = []
    for _ in range(rng.randint(0, 12)):
        parts = []
        for _ in range(rng.randint(0, 4)):
            roll = rng.random()
            if roll < 0.3:
                variant = "".join(c.upper() if rng.random() < 0.5 else c for c in phrase)
                # swap in a character that folds to (or looks like) a letter of the phrase
                if rng.random() < 0.3 and variant:
                    i = rng.randrange(len(variant))
                    variant = variant[:i] + rng.choice(TRICKY + "iIsSkK") + variant[i + 1:]
                parts.append(variant)
            elif roll < 0.5:
                parts.append(phrase[: rng.randint(0, len(phrase))])
            else:
                parts.append("".join(rng.choice("ab tef-_:*`" + TRICKY) for _ in range(rng.randint(0, 8))))
        out.append("".join(parts))
    return "\n".join(out)


def test_ascii_letters_fold_only_to_their_own_lower_case_except_i_and_s():
    """The premise of may_mention: re.IGNORECASE matches an ASCII character
    only to characters that str.lower() maps to its lower case, except the
    letters _CASE_FOLD_TRAPS lists. Checked against every code point."""
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    traps = set()
    for ch in map(chr, range(0x20, 0x7F)):
        for other in re.findall(re.escape(ch), every, re.IGNORECASE):
            if other.lower() != ch.lower():
                traps.add(ch)
    assert traps == set(_text._CASE_FOLD_TRAPS)


@pytest.mark.parametrize("bad", ["", "file", "is", "Target", "caf\u00e9"])
def test_safe_fragment_refuses_fragments_that_could_miss(bad):
    with pytest.raises(ValueError):
        _text.safe_fragment(bad)


@pytest.mark.parametrize("phrase,fragment", [("target file", "target f"), ("lineage audit", "neage"),
                                             ("k-v", "k-v"), ("SKELETON APPROVED", "keleton appro")])
def test_lines_mentioning_same_lines_as_one_regex(phrase, fragment):
    rng = random.Random(phrase)
    hits = 0
    for _ in range(700):
        text = _noisy_text(rng, phrase)
        expected = _lines_mentioning_reference(text, phrase)
        assert _text.lines_mentioning(text, phrase, fragment) == expected, text
        hits += bool(expected)
    assert hits > 100


def test_lines_mentioning_edge_cases():
    assert _text.lines_mentioning("", "target file", "target f") == []
    assert _text.lines_mentioning("Target File\n\nTARGET FILE x target file", "target file", "target f") == [1, 3]
    assert _text.lines_mentioning("target f\u0131le\nTARGET F\u0130LE", "target file", "target f") == [1, 2]
    with pytest.raises(ValueError):
        _text.lines_mentioning("x", "target file", "file")


def test_lines_containing_same_as_a_test_per_line():
    rng = random.Random(5)
    for _ in range(2000):
        text = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 40)))
        needle = "".join(rng.choice("ab") for _ in range(rng.randint(1, 3)))
        expected = [n for n, line in enumerate(text.split("\n"), 1) if needle in line]
        assert _text.lines_containing(text, needle) == expected


def test_may_mention_never_misses_a_case_insensitive_match():
    rng = random.Random(6)
    pattern = re.compile(r"lineage[ _-]audit", re.I)
    for _ in range(3000):
        text = _noisy_text(rng, rng.choice(["lineage audit", "lineage_audit", "LINEAGE-AUDIT"]))
        if pattern.search(text):
            assert _text.may_mention(text, "neage")


def test_split_lines_is_shared_and_immutable():
    text = "a\nb\n"
    assert _text.split_lines(text) == ("a", "b", "")
    assert _text.split_lines(text) is _text.split_lines(text)


# -- analysis/placeholders.py: the placeholder prefilter ------------------------------------

from govcheck.analysis import placeholders  # noqa: E402


def test_regex_whitespace_is_str_whitespace():
    """may_hold_placeholder measures ``^\\s*tbd\\.?\\s*$`` with str.strip():
    that needs every character ``\\s`` matches to be one strip() removes."""
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    assert all(ch.isspace() for ch in re.findall(r"\s", every))


_PLACEHOLDER_BITS = ("{{WP_ID}}", "{{", "}}", "<fill>", "<fill in>", "<pending>", "<unclaimed>", "<tbd>", "<TBD>", "tbd",
                     "TBD.", "todo", "ToDo.", "LOW | MEDIUM | HIGH", "low | medium | high", "YES | NO", "yes | no",
                     "LOW", "MEDIUM", "x", " ", "\t", "\n", "\u00a0", "\u2003", ".", "|", "<", "value", "HIGH",
                     "ſ", "ı", "İ", "K")


def test_placeholder_prefilter_never_hides_a_placeholder():
    rng = random.Random(7)
    found = 0
    for _ in range(20000):
        text = "".join(rng.choice(_PLACEHOLDER_BITS) for _ in range(rng.randint(0, 4)))
        if placeholders.PLACEHOLDER_RE.search(text):
            found += 1
            assert placeholders.may_hold_placeholder(text), repr(text)
    assert found > 1000
    for text in ("tbd", " tbd. ", "\u2003TODO\n", "todo.\n", "<tbd>", "{{X}}", "YES | NO"):
        assert placeholders.may_hold_placeholder(text)
    assert not placeholders.may_hold_placeholder("Storage trait exposes methods")


# -- caches of pure functions ---------------------------------------------------


def test_version_key_cache_still_refuses_non_versions():
    from govcheck.parse.versions import version_key

    assert version_key("v02.100") == (2, 100) == version_key("v02.100")
    for _ in range(2):
        with pytest.raises(ValueError):
            version_key("latest")


def test_anchored_version_memo_follows_the_packet_object():
    """The one-entry memo answers only for the very packet object it was
    computed for: an equal-looking packet with other refs gets its own."""
    from dataclasses import replace

    from govcheck.analysis.anchoring import _anchored_version, anchored_version
    from govcheck.model import Packet, SpecRef

    a = Packet(id="WP-1-A", path="a.md", sha256="x", generation="gen2",
               spec_refs=(SpecRef(kind="baseline", version="02.90", text="v02.90", line=3),))
    b = replace(a, spec_refs=(SpecRef(kind="baseline", version="02.93", text="v02.93", line=3),))
    c = replace(a, spec_refs=())
    for packet in (a, a, b, a, c, c, b):
        assert anchored_version(packet) == _anchored_version(packet)
    assert anchored_version(a).version == "02.90" and anchored_version(b).version == "02.93"
    assert anchored_version(c) is None


# -- done_means: observable() is _OBSERVABLE_RE.search taken apart ----------------

_OBSERVABLE_PATTERN = (
    r"`|\d|[\w-]+\.(?:rs|ts|tsx|py|md|json|sql|toml|yaml|yml|js|mjs)\b|::|\(\)|==|->"
    r"|\b(?:pass(?:es|ed)?|fail(?:s|ed)?|return(?:s|ed)?|exit(?:s|ed)?|emit(?:s|ted)?|log(?:s|ged)?|reject(?:s|ed)?"
    r"|show(?:s|n)?|display(?:s|ed)?|render(?:s|ed)?|contain(?:s|ed)?|exist(?:s)?|record(?:s|ed)?|writ(?:es|ten)"
    r"|persist(?:s|ed)?|error(?:s)?|respond(?:s)?|assert(?:s|ed)?|test(?:s|ed)?|validat(?:es|ed)|print(?:s|ed)?"
    r"|match(?:es|ed)?|equal(?:s)?|no longer|never|must|block(?:s|ed)?|requir(?:es|ed)|expose(?:s|d)?|enforc(?:es|ed)"
    r"|store(?:s|d)?|include(?:s|d)?|cover(?:s|ed)?|document(?:s|ed)?|list(?:s|ed)?|mapp(?:ed|ing)|zero|none|all|every"
    r"|clean|green|build(?:s)?|compile(?:s)?|run(?:s)?|generat(?:es|ed)|produc(?:es|ed)|uses?|added|removed|present|absent)\b"
)

_OBSERVABLE_BITS = (
    "passes", "PASSED", "pass", "passing", "bypass", "pass_", "_pass", "paſſes", "Paſs", "uſes", "use", "used", "uses",
    "no longer", "NO LONGER", "no  longer", "nolonger", "no longers", "xno longer", "ıs", "lıst", "lists", "listing",
    "mapped", "mapping", "mapp", "zero", "none", "every", "everyone", "all", "ball", "allé", "é", "K", "kelvin",
    "works", "properly", "the", "storage", "a", "-", ".", "..", "file.rs", "file.RS", "x.py3", "mod.ts", "a.tsx",
    "x.ſql", "-.md", ".json", "::", ":", "()", "(", ")", "==", "=", "->", ">", "`", "\u0663", "7", "٣", " ", "\t",
    "\n", "_", "'", "Runs", "RUN", "run's", "writ", "written", "writes", "documented", "Ğ", "ß",
    "a..md", "\u00e9.md", "_.py", "x-.Py", "x.pyc", "x.mdx", "x.md_", "x.JSON", "x.tomls", "x.yaml.", "..", ".rs",
)


def test_observable_pattern_unchanged():
    assert done_means._OBSERVABLE_RE.pattern == _OBSERVABLE_PATTERN
    assert done_means._OBSERVABLE_RE.flags & re.I


def test_observable_same_answer_as_the_whole_regex():
    reference = re.compile(_OBSERVABLE_PATTERN, re.I)
    rng = random.Random(8)
    seen = {True: 0, False: 0}
    for _ in range(30000):
        parts = [rng.choice(_OBSERVABLE_BITS) for _ in range(rng.randint(0, 6))]
        text = "".join(p + rng.choice(("", " ", " ", ",", "-")) for p in parts)
        expected = reference.search(text) is not None
        assert done_means.observable(text) is expected, repr(text)
        seen[expected] += 1
    assert min(seen.values()) > 3000


# -- analysis/spec_anchors.py: sections carrying a codex tag --------------------------------


def test_tagged_sections_same_as_a_test_per_section():
    from govcheck.analysis.spec_anchors import tagged_sections
    from govcheck.parse.spec import SpecIndex, SpecSection

    rng = random.Random(9)
    words = ("CX-1", "CX-12", "CX-DBP-040", "HSK-7", "[CX-1]", "Storage", "x", " ", "FR-A-B", "cx-1", "-", "\r")
    for n in range(400):
        titles = ["".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 12))]
        if n % 50 == 0 and titles:
            titles[0] += "\nCX-1"  # a line break (no real title has one) takes the plain path
        sections = tuple(SpecSection(id=f"{i}.1", title=t, level=2, line=i, end_line=i, start=i, end=i)
                         for i, t in enumerate(titles, 1))
        index = SpecIndex(sha256=f"test-{n}", size=0, line_count=0, sections=sections)
        for tags in ((), ("CX-1",), ("CX-12", "HSK-7"), ("CX-DBP-040", "CX-1", "FR-A"), ("",), ("nope",), ("1\nCX",)):
            expected = tuple(s.id for s in sections if any(t in s.title for t in tags))
            assert tagged_sections(index, tags) == expected, (titles, tags)
