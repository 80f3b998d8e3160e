"""The spec heading scan jumps between candidate lines and reads titles
greedily; it must index every spec exactly as the plain line-by-line scan
(kept here as the reference) does."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

from govcheck.parse import spec as spec_mod

_NUMBERED_RE = re.compile(rb"^(#{1,6})[ \t]+(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*?))?[ \t]*\r?$")
_ANY_HEADING_RE = re.compile(rb"^(#{1,6})(?:[ \t]|\r?$)")
_FENCE_RE = re.compile(rb"^ {0,3}(`{3,}|~{3,})(.*?)\r?$")


def reference_headings(data: bytes):
    """The line-by-line heading scan as it was before candidate jumping."""
    fence = None
    offset = 0
    line_no = 0
    for raw in data.split(b"\n"):
        line_no += 1
        start = offset
        offset += len(raw) + 1
        if not raw:
            continue
        first = raw[0]
        if first not in b"#`~ ":
            continue
        if first != 35:
            m = _FENCE_RE.match(raw)
            if m is None:
                continue
            marker = m.group(1)
            if fence is None:
                if marker[0] == 96 and b"`" in m.group(2):
                    continue
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not m.group(2).strip():
                fence = None
            continue
        if fence is not None:
            continue
        m = _NUMBERED_RE.match(raw)
        if m:
            yield line_no, start, len(m.group(1)), m.group(2), (m.group(3) or b"")
            continue
        h = _ANY_HEADING_RE.match(raw)
        if h:
            yield line_no, start, len(h.group(1)), None, raw[len(h.group(1)) :].strip()


def reference_sections(data: bytes):
    """(sections, duplicates) as tuples, by the old stack over all headings."""
    headings = list(reference_headings(data))
    total_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    open_stack: list = []
    results: dict = {}
    for idx, (line, start, level, number, title) in enumerate(headings):
        num = number.decode("ascii") if number is not None else None
        keep = []
        for entry in open_stack:
            e_level, e_id, e_idx = entry
            inside = num is not None and e_id is not None and num.startswith(e_id + ".")
            if level <= e_level and not inside:
                results[e_idx] = (line - 1, start)
            else:
                keep.append(entry)
        open_stack = keep + [(level, num, idx)]
    for entry in open_stack:
        results[entry[2]] = (total_lines, len(data))
    first: dict = {}
    dups = []
    for idx, (line, start, level, number, title) in enumerate(headings):
        if number is None:
            continue
        end_line, end = results[idx]
        s = (number.decode("ascii"), title.decode("utf-8", "replace").strip(), level, line,
             max(line, end_line), start, max(end, start))
        if s[0] in first:
            dups.append(s)
        else:
            first[s[0]] = s
    return tuple(first.values()), tuple(dups), total_lines


def _check(data: bytes) -> None:
    assert list(spec_mod.iter_headings(data)) == list(reference_headings(data))
    ix = spec_mod.build_index(data)
    sections, dups, total = reference_sections(data)
    assert tuple(dataclasses.astuple(s) for s in ix.sections) == sections
    assert tuple(dataclasses.astuple(s) for s in ix.duplicates) == dups
    assert (ix.line_count, ix.size, ix.sha256) == (total, len(data), hashlib.sha256(data).hexdigest())


_PIECES = (
    b"# 1. One", b"## 1.1 First", b"### 1.1.1 Deep", b"## 1.2. Dot", b"##### 2.6.6.7.11", b"##### 2.6.6.7.11.0 Zero",
    b"# 2 Two  ", b"## 2.1\t", b"## 2.1 \t\r", b"## 2.1 Title \r", b"## 2.1 Title\r\r", b"## 2.1 a\rb \t", b"#  3  ",
    b"## 1.1 Repeated", b"####### 7 too many", b"#7 no space", b"## 1.2x not a number", b"## 12.", b"## 4.5.",
    b"## Unnumbered", b"#", b"##\r", b"#\tTab", b"## 3.1 caf\xc3\xa9 \xff", b"```", b"```markdown", b"``` x`y",
    b"   ```", b"    ```", b"~~~", b"~~~~", b"  ~~~ info", b"````", b"`` not a fence", b" # indented heading",
    b"text", b"", b"", b"- item", b"1. item", b"\t## tab-indented",
)


def test_random_documents_index_like_the_line_scan():
    rng = random.Random(11)
    for _ in range(3000):
        lines = [rng.choice(_PIECES) for _ in range(rng.randint(0, 25))]
        data = b"\n".join(lines)
        if rng.random() < 0.3:
            data += b"\n"
        if rng.random() < 0.2:
            data = data.replace(b"\n", b"\r\n")
        _check(data)


@pytest.mark.parametrize("data", [b"", b"\n", b"#", b"# 1 A", b"# 1 A\n", b"```\n# 1 A\n```\n# 2 B", b"\n\n## 1.1 X\n"])
def test_edge_documents(data):
    _check(data)


def test_generated_spec_indexes_like_the_line_scan():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from gen_repo import make_spec

    data = make_spec(400_000, version="02.999")
    _check(data)
    _check(data.replace(b"\n", b"\r\n"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")
def test_corpus_specs_index_like_the_line_scan():
    for path in sorted(CORPUS.rglob("*Master_Spec_v*.md")):
        _check(path.read_bytes())


def _finder_agrees(data: bytes, asked: list[str]) -> spec_mod.SectionFinder:
    full = spec_mod.build_index(data)
    finder = spec_mod.SectionFinder(data)
    for sid in asked:
        assert finder.lookup(sid) == full.lookup(sid), (sid, data)
        assert finder.text(data, sid) == full.text(data, sid)
        assert finder.has_subsections(sid) == full.has_subsections(sid), (sid, data)
        for item in (sid + ".1", sid + ".2", sid + ".10"):
            assert finder.list_item(data, item) == full.list_item(data, item), (item, data)
    assert finder.sha256 == full.sha256
    return finder


def test_section_finder_finds_what_the_index_holds():
    # Sections found one by one (what an old spec version is asked for)
    # are the index's: ends, duplicates (the first one answers), ids that
    # are not there, leading zeros and the forms normalize_section_id reads.
    rng = random.Random(12)
    for _ in range(1500):
        lines = [rng.choice(_PIECES) for _ in range(rng.randint(0, 25))]
        data = b"\n".join(lines) + (b"\n" if rng.random() < 0.3 else b"")
        full = spec_mod.build_index(data)
        asked = [s.id for s in full.sections] + ["9.9", "1.1.", "§1.2", "2.6.6.7.11.0", "\u0662", "x"]
        rng.shuffle(asked)
        _finder_agrees(data, asked)


def test_section_finder_reads_numbered_list_items_and_parts_as_the_index():
    rng = random.Random(13)
    pieces = [b"# 1 Top", b"## 1.1 Sub", b"### 1.1.1 Deep", b"## 1.2 Other", b"#### 4.3.9 Part", b"1. first",
              b"2) second", b"10. tenth", b"text", b"", b"```", b"# 2 Next", b"## 2.1.5 Skipped parent"]
    for _ in range(800):
        data = b"\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        _finder_agrees(data, ["1", "1.1", "1.2", "2", "2.1", "4.3", "4", "1.1.1", "9"])


def test_section_finder_builds_the_index_when_looking_ahead_costs_more():
    # 300 headings at one level, each numbered beneath the one before: every
    # section runs to the end of the text, so finding them one by one would
    # look ahead ~45,000 times. Past its budget the finder builds the index
    # once and answers from it.
    data = b"\n".join(b"## " + b".".join([b"1"] * k) + b" Part\ntext" for k in range(1, 301))
    full = spec_mod.build_index(data)
    finder = _finder_agrees(data, [s.id for s in full.sections])
    assert finder._full is not None
    assert finder.full() == full
    few = _finder_agrees(data, [full.sections[-1].id, full.sections[-2].id])
    assert few._full is None  # two sections near the end: a few steps each
    assert few.expand_range("1.1", "1.1") == ["1.1"]  # anything but a look-up asks the full index
    assert few._full is not None


def test_section_finder_is_used_for_old_texts_without_a_cache():
    data = b"# 1 A\n## 1.1 B\n"
    found = spec_mod.section_finder(data)
    assert isinstance(found, spec_mod.SectionFinder) and spec_mod.section_finder(data) is found
    assert found.lookup("1.1") is not None and "sha256" not in found.__dict__  # hashed only when asked
    assert found.sha256 == hashlib.sha256(data).hexdigest()
    indexed = spec_mod.index_spec(data)
    assert spec_mod.section_finder(data) is indexed  # an index at hand answers instead
    assert found.full() == indexed


def test_section_finder_reads_a_cached_index_and_never_writes_one(monkeypatch):
    # With the on-disk cache: an index cached for these bytes answers; else
    # a finder, and nothing is written (old versions are not indexed whole).
    class Store:
        def __init__(self) -> None:
            self.held: dict = {}
            self.puts = 0

        def get_index(self, key):
            return self.held.get(key)

        def put_index(self, key, index):
            self.puts += 1

    store = Store()
    monkeypatch.setattr(spec_mod, "index_store", store)
    data = b"# 1 A\n## 1.1 B\ntext\n# 2 C\n"
    found = spec_mod.section_finder(data)
    assert isinstance(found, spec_mod.SectionFinder) and store.puts == 0
    other = b"# 1 A\n" + b"x" * 10 + b"\n"  # other bytes: not the finder kept for ``data``
    indexed = spec_mod.build_index(other)
    store.held[indexed.sha256] = indexed
    assert spec_mod.section_finder(other) is indexed and store.puts == 0
