"""Section index of a master spec: numbered headings mapped to byte and
line ranges, by a line scan (not a Markdown parse), fast on 4 MB specs.

The rule, as validators read a spec:

* A numbered heading is ``#`` .. ``######``, whitespace, a number such as
  ``2.3.12`` (optionally ``2.3.12.``), whitespace, a title. Headings inside
  fenced code (templates embedded in the spec) are not headings.
* A section runs from its heading to the line before the next heading
  (numbered or not) of the same or a higher level, so it includes its
  subsections. Real specs do not always give a subsection more ``#`` than
  its parent (``##### 2.6.6.7.11`` then ``##### 2.6.6.7.11.0``), so a
  numbered heading whose number lies under the section's number never ends
  it: ``2.3.12`` always covers ``2.3.12.1``.
* When a number occurs twice (appendices repeat numbers), the first
  occurrence is the section; later ones are kept in ``duplicates``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Iterable, Iterator

_FENCE_RE = re.compile(rb"^ {0,3}(`{3,}|~{3,})(.*?)\r?$")


@dataclass(frozen=True)
class SpecSection:
    id: str  # "2.3.12"
    title: str
    level: int  # number of '#'
    line: int  # 1-based line of the heading
    end_line: int  # last line of the section (inclusive)
    start: int  # byte offset of the heading line
    end: int  # byte offset just past the section's last line


@dataclass(frozen=True)
class SpecIndex:
    sha256: str
    size: int
    line_count: int
    sections: tuple[SpecSection, ...]  # first occurrences, document order
    duplicates: tuple[SpecSection, ...] = ()  # later occurrences of a number

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.sections})
        object.__setattr__(self, "_order", {s.id: i for i, s in enumerate(self.sections)})

    def lookup(self, section_id: str) -> SpecSection | None:
        return self._by_id.get(normalize_section_id(section_id))  # type: ignore[attr-defined]

    def __contains__(self, section_id: str) -> bool:
        return self.lookup(section_id) is not None

    def has_subsections(self, section_id: str) -> bool:
        """Whether numbered sections below ``section_id`` exist (``14.3.1``
        for ``14.3``): a spec may number the children of a chapter part
        without a heading for the part itself."""
        parents = self.__dict__.get("_parents")
        if parents is None:
            parents = {s.id.rsplit(".", k)[0] for s in self.sections for k in range(1, s.id.count(".") + 1)}
            object.__setattr__(self, "_parents", parents)
        return normalize_section_id(section_id) in parents

    def ids(self) -> list[str]:
        return [s.id for s in self.sections]

    def expand_range(self, start: str, end: str) -> list[str]:
        """Sections from ``start`` to ``end`` inclusive, in document order,
        at the depth of ``start``: ``2.3.10.6-2.3.10.8`` names three sections
        (each covering its own subsections). Empty when either end is not in
        this spec or the range runs backwards."""
        order = self._order  # type: ignore[attr-defined]
        a, b = order.get(normalize_section_id(start)), order.get(normalize_section_id(end))
        if a is None or b is None or b < a:
            return []
        depth = self.sections[a].id.count(".")
        return [s.id for s in self.sections[a : b + 1] if s.id.count(".") == depth]

    def list_item(self, data: bytes, section_id: str) -> tuple[int, str] | None:
        """Resolve ``7.6.3.10`` to the item numbered 10 of the numbered list
        written in section ``7.6.3``'s own text (specs number requirements
        that way and packets anchor to them): (line, item text) or None.

        Own text is the section minus its numbered subsections. Real specs
        also drop a stray heading into the middle of such a list (a
        ``#### 11.7.5`` inside 7.6.3); the list continues past it only when
        it started before it, so a list under a foreign heading (2.3.11.3's
        items inside 2.3.12) never answers for the parent."""
        sid = normalize_section_id(section_id)
        if "." not in sid or self.lookup(sid) is not None:
            return None
        parent_id, _, n = sid.rpartition(".")
        parent = self.lookup(parent_id)
        if parent is None or not n.isdigit():
            return None
        # The items of the section's own lists are read once per spec and
        # section, not once per number asked for: a packet may name
        # thousands of numbers under one large section.
        global _LIST_ITEMS
        with _MEMO_LOCK:
            memo = _LIST_ITEMS
            if memo[0] is not data or memo[1] is not self:
                memo = _LIST_ITEMS = (data, self, {})
        items = memo[2].get(parent.id)
        if items is None:
            items = memo[2][parent.id] = self._own_list_items(data, parent)
        return items.get(n)

    def _own_list_items(self, data: bytes, parent: SpecSection) -> dict[str, tuple[int, str]]:
        """For each item number of the lists in ``parent``'s own text, its
        first item: number -> (line, item text) (see ``list_item``)."""
        items: dict[str, tuple[int, str]] = {}
        body = data[parent.start : parent.end]
        item_re = re.compile(rb"^(\d{1,3})[.)][ \t]+(.*?)\r?$")
        fence = None
        skip_until = 0  # inside a real subsection (parent.id + ".")
        started = False
        foreign = False
        prefix = (parent.id + ".").encode()
        for offset, raw in enumerate(body.split(b"\n")):
            line = parent.line + offset
            if line <= skip_until:
                continue
            stripped = raw.lstrip(b" ")
            if stripped[:3] in (b"```", b"~~~"):
                fence = None if fence else stripped[:3]
                continue
            if fence is not None:
                continue
            if offset and raw.startswith(b"#"):
                m = _NUMBERED_SCAN_RE.match(raw)
                if m and (m.group(2) + b".").startswith(prefix):
                    sub = self.lookup(m.group(2).decode("ascii"))
                    skip_until = sub.end_line if sub is not None and sub.line == line else line
                    continue
                foreign = True
                continue
            m = item_re.match(raw)
            if m:
                if foreign and not started:
                    continue
                started = True
                items.setdefault(m.group(1).decode(), (line, m.group(2).decode("utf-8", "replace").strip()))
        return items

    def text(self, data: bytes, section_id: str) -> bytes | None:
        s = self.lookup(section_id)
        return None if s is None else data[s.start : s.end]


def normalize_section_id(section_id: str) -> str:
    """``2.3.12.`` and ``§2.3.12`` name section ``2.3.12``; leading zeros are
    kept because specs write them (``2.6.6.7.11.0``)."""
    return section_id.strip().lstrip("§").rstrip(".")


# A numbered heading is ``^(#{1,6})[ \t]+(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*?))?[ \t]*\r?$``
# (tests/test_spec_index_scan.py keeps that pattern as the reference). It
# is matched with the title taken greedily and trimmed by _title_end: a
# lazy ``(.*?)`` costs a regex step per character of every heading of a
# 4 MB spec, and each step reads the ``[ \t]*`` after it to its end, which
# is quadratic on a heading padded with thousands of spaces.
_NUMBERED_SCAN_RE = re.compile(rb"(#{1,6})[ \t]+(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*)|[ \t]*\r?)$")


def _title_end(title: bytes) -> bytes:
    """What the lazy title group leaves of a greedy one: without
    the trailing spaces and tabs, before one final carriage return."""
    if title.endswith(b"\r"):
        title = title[:-1]
    return title.rstrip(b" \t")


# Where a line can matter to the heading scan: a "#" (a heading) or up to
# three spaces and a fence marker (a fence opening or closing) right after
# a newline. Every other line is body text the scan never needs to look at,
# so it jumps from one such line to the next (a C-speed search) instead of
# testing every line of a 4 MB spec in Python.
_CANDIDATE_RE = re.compile(rb"\n(?:#| {0,3}(?:```|~~~))")
_FIRST_CANDIDATE_RE = re.compile(rb"#| {0,3}(?:```|~~~)")


def _candidate_starts(data: bytes) -> Iterator[int]:
    """Byte offsets of the lines that may be headings or fences, in order."""
    if _FIRST_CANDIDATE_RE.match(data):
        yield 0
    for m in _CANDIDATE_RE.finditer(data):
        yield m.start() + 1


def fence_open_at_end(data: bytes) -> bytes | None:
    """The marker of a code fence still open at the end of ``data`` (the
    same scan as iter_headings), or None. A spec bundle's modules are files
    a reader renders one by one, so a fence a module leaves open ends with
    that module; joined into one text, it would swallow the next module's
    headings (and flip every fence after it)."""
    fence: bytes | None = None
    for start in _candidate_starts(data):
        end = data.find(b"\n", start)
        raw = data[start:] if end < 0 else data[start:end]
        if raw[0] == 35:
            continue
        m = _FENCE_RE.match(raw)
        if m is None:
            continue
        marker = m.group(1)
        if fence is None:
            if not (marker[0] == 96 and b"`" in m.group(2)):
                fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not m.group(2).strip():
            fence = None
    return fence


def iter_headings(data: bytes) -> Iterable[tuple[int, int, int, bytes | None, bytes]]:
    """Every heading outside fenced code: (line, byte offset, level, number
    or None, title). A line scan: only lines starting with ``#`` or a fence
    marker (after up to three spaces) are looked at closely."""
    return iter(_headings(data))


# A heading or a fence line, found with the newline before it (the search
# for a literal first byte runs at C speed; the scan prepends a newline to
# the text so the first line is found the same way), its parts taken by
# the same match: the hashes, the number and the greedy title of a
# numbered heading (_NUMBERED_SCAN_RE's reading); the hashes alone of an
# unnumbered one (``#{1,6}`` then a space, a tab or the line's end); a
# fence's marker and info string. One match per line and no second regex:
# the Python work per candidate line was most of the scan.
_HEADING_OR_FENCE_RE = re.compile(
    rb"\n(?:(#{1,6})(?:[ \t]+(\d+(?:\.\d+)*)\.?(?:[ \t]+([^\n]*)|[ \t]*\r?)(?![^\n])|(?=[ \t\n]|\r?(?![^\n])))"
    rb"| {0,3}(`{3,}|~{3,})([^\n]*))"
)


def _headings(data: bytes) -> list[tuple[int, int, int, bytes | None, bytes]]:
    # One loop over the candidate lines, lines counted only up to headings:
    # the index of an old spec version is built for every version packets
    # anchor to, so this runs 20-30 times over 4 MB in a cold run.
    out: list[tuple[int, int, int, bytes | None, bytes]] = []
    append = out.append
    count, find = data.count, data.find
    fence: bytes | None = None
    line_no, counted = 1, 0  # line_no is the line holding byte offset ``counted``
    for m in _HEADING_OR_FENCE_RE.finditer(b"\n" + data):
        hashes, number, title, marker, info = m.groups()
        if hashes is None:  # a fence opens or closes
            if fence is None:
                # a backtick fence's info string may not contain backticks
                if marker[0] == 96 and b"`" in info:
                    continue
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not info.strip():
                fence = None
            continue
        if fence is not None:
            continue
        start = m.start()  # in ``data``: the newline put before it shifts by one
        line_no += count(b"\n", counted, start)
        counted = start
        if number is not None:
            append((line_no, start, len(hashes), number, _title_end(title) if title else b""))
        else:
            end = find(b"\n", start)
            raw = data[start:] if end < 0 else data[start:end]
            append((line_no, start, len(hashes), None, raw[len(hashes) :].strip()))
    return out


def build_index(data: bytes, sha256: str | None = None) -> SpecIndex:
    """The section index of a spec text (``sha256``: its digest, when the
    caller has it already)."""
    return _index_headings(data, _headings(data), sha256)


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def _new_section(line: int, start: int, level: int, number: bytes, title: bytes) -> SpecSection:
    """A section whose end is not known yet (``end_line``/``end`` are set
    when it closes). Built as the codec builds them (no __init__: a frozen
    dataclass sets each field through object.__setattr__, which cost more
    than the scan on a spec of 5,000 sections)."""
    section = object.__new__(SpecSection)
    section.__dict__.update(id=number.decode("ascii"), title=title.decode("utf-8", "replace").strip(), level=level,
                            line=line, end_line=line, start=start, end=start)
    return section


def _close(section: SpecSection, end_line: int, end: int) -> None:
    # a section's text ends with its last line's newline
    fields = section.__dict__
    fields["end_line"] = max(fields["line"], end_line)
    fields["end"] = max(fields["start"], end)


def _index_headings(data: bytes, headings: list[tuple[int, int, int, bytes | None, bytes]],
                    sha256: str | None = None) -> SpecIndex:
    total_lines = _line_count(data)
    size = len(data)
    # For each numbered heading, find the next heading that ends it: any
    # later heading of the same or higher level that is not numbered beneath
    # it. Only numbered sections are kept open: an unnumbered heading closes
    # sections but is not one.
    #
    # The open sections are kept per level, oldest first. Two open at one
    # level are numbered one beneath the other (else the later heading had
    # closed the earlier), so those a heading keeps open (numbered above
    # it) come first: it pops the others off the end, level by level, and
    # each section is popped once. (Testing every open section at every
    # heading was quadratic: 7.6 s for a 1 MB spec numbered 300 levels deep
    # followed by 100,000 headings.)
    # A section's end is written into it when a later heading closes it
    # (_new_section and _close, inlined: this loop runs for every heading).
    open_at: list[list[tuple[bytes, dict]]] = [[] for _ in range(7)]  # level -> [(number + ".", fields)]
    new = object.__new__
    first: dict[str, SpecSection] = {}
    dups: list[SpecSection] = []
    for line, start, level, number, title in headings:
        for opened in open_at[level:]:
            while opened and not (number is not None and number.startswith(opened[-1][0])):
                fields = opened.pop()[1]
                fields["end_line"] = max(fields["line"], line - 1)
                fields["end"] = max(fields["start"], start)
        if number is None:
            continue
        section = new(SpecSection)
        fields = section.__dict__
        num = number.decode("ascii")
        fields.update(id=num, title=title.decode("utf-8", "replace").strip(), level=level, line=line,
                      end_line=line, start=start, end=start)
        open_at[level].append((number + b".", fields))
        if num in first:
            dups.append(section)
        else:
            first[num] = section
    for opened in open_at:
        for _, fields in opened:
            fields["end_line"] = max(fields["line"], total_lines)
            fields["end"] = max(fields["start"], size)
    return SpecIndex(
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=size,
        line_count=total_lines,
        sections=tuple(first.values()),
        duplicates=tuple(dups),
    )


class SectionFinder:
    """The sections of one spec text, each found when asked for: what an
    old spec version needs. Packets anchored to an old version ask it for
    a few dozen sections, to compare them with the current text; building
    the whole index (every one of ~5,000 sections) was half the cost of
    reading that version. The headings are scanned once, as for the index;
    a section's end is the first later heading that closes it (see
    _index_headings), found by looking ahead from it. The same sections as
    the full index, which it builds (and then answers from) for anything
    but a lookup, or once the looking ahead has cost as much as building
    it would."""

    def __init__(self, data: bytes, sha256: str | None = None) -> None:
        if sha256 is not None:
            self.sha256 = sha256
        self._data = data
        # What callers worked out about this text, kept as long as it is
        # (spec_diff: the anchored sections it compared with a newer text).
        self.memo: dict = {}
        self._headings = _headings(data)
        # number -> the first heading with it (later ones are duplicates)
        self._first: dict[bytes, int] = {}
        for i, heading in enumerate(self._headings):
            if heading[3] is not None:
                self._first.setdefault(heading[3], i)
        self._found: dict[str, SpecSection | None] = {}
        self._budget = 2 * len(self._headings) + 64  # look-ahead steps before the full index pays
        self._full: SpecIndex | None = None

    @functools.cached_property
    def sha256(self) -> str:
        # Hashed when asked (most runs never ask): 4 MB costs ~3 ms.
        return hashlib.sha256(self._data).hexdigest()

    def full(self) -> SpecIndex:
        """The whole index of the text (built once)."""
        if self._full is None:
            self._full = _index_headings(self._data, self._headings, self.sha256)
        return self._full

    def lookup(self, section_id: str) -> SpecSection | None:
        sid = normalize_section_id(section_id)
        if self._full is not None:
            return self._full.lookup(sid)
        if sid in self._found:
            return self._found[sid]
        try:
            at = self._first.get(sid.encode("ascii"))
        except UnicodeEncodeError:
            at = None  # no heading number is anything but ASCII digits and dots
        section = None if at is None else self._section_at(at)
        if self._full is not None:  # the look-ahead ran out of budget
            return self._full.lookup(sid)
        self._found[sid] = section
        return section

    def _section_at(self, at: int) -> SpecSection | None:
        headings = self._headings
        line, start, level, number, title = headings[at]
        section = _new_section(line, start, level, number, title)
        prefix = number + b"."
        for j in range(at + 1, len(headings)):
            self._budget -= 1
            if self._budget < 0:
                self.full()
                return None
            later = headings[j]
            if later[2] <= level and not (later[3] is not None and later[3].startswith(prefix)):
                _close(section, later[0] - 1, later[1])
                return section
        _close(section, _line_count(self._data), len(self._data))
        return section

    def __contains__(self, section_id: str) -> bool:
        return self.lookup(section_id) is not None

    def text(self, data: bytes, section_id: str) -> bytes | None:
        s = self.lookup(section_id)
        return None if s is None else data[s.start : s.end]

    def expand_range(self, start: str, end: str) -> list[str]:
        return self.full().expand_range(start, end)

    def has_subsections(self, section_id: str) -> bool:
        """As SpecIndex.has_subsections, from the heading numbers."""
        if self._full is not None:
            return self._full.has_subsections(section_id)
        parents = self.__dict__.get("_parents")
        if parents is None:
            parents = self._parents = {n.rsplit(b".", k)[0] for n in self._first for k in range(1, n.count(b".") + 1)}
        try:
            return normalize_section_id(section_id).encode("ascii") in parents
        except UnicodeEncodeError:
            return False

    # The numbered list items of a section's own text, as the index reads
    # them: the same code, asking this object's look-ups.
    list_item = SpecIndex.list_item
    _own_list_items = SpecIndex._own_list_items


# In-process memo by content hash: every packet of a run shares one index
# per spec text. (The on-disk cache in govcheck.cache.parse keeps them across runs.)
_MEMO: dict[str, SpecIndex] = {}
# The same bytes object is indexed again and again (every packet's rules
# ask for the spec the repo read once): remember it by identity first, so
# a 4 MB spec is hashed once per run, not once per call. The entry keeps
# the bytes alive, so the id cannot be reused while it is here.
_BY_ID: dict[int, tuple[bytes, SpecIndex]] = {}
_MEMO_LOCK = threading.Lock()
# SpecIndex.list_item's memo: (spec bytes, their index, section id -> own
# list items), for one spec at a time (the one being asked about).
_LIST_ITEMS: tuple[bytes | None, "SpecIndex | None", dict[str, dict[str, tuple[int, str]]]] = (None, None, {})
# Past this many texts both memos start over. Packets anchor to many old
# versions (the reference: 20-30), read from git history; a bound below
# that rebuilt an index for almost every packet (a 4 MB spec's index is
# ~2.5 MB, so 64 stay well inside the memory budget).
_MEMO_MAX = 64
# Optional persistent store (govcheck.cache.parse.ParseCache): get_index(sha256)
# -> SpecIndex | None, put_index(sha256, index). None: no on-disk cache.
index_store = None


# section_finder's memo, by identity as _BY_ID (and bounded alike).
_FINDERS: dict[int, tuple[bytes, SectionFinder]] = {}


def section_finder(data: bytes) -> SpecIndex | SectionFinder:
    """What to ask an old spec version for a few sections: its index when
    one is at hand (made this run for these bytes, or in the on-disk cache),
    else a SectionFinder (kept for the run, by identity of the bytes, like
    indexes). A finder is never cached on disk: building and writing the
    full index of every old version cost a run that fills the caches (the
    first run of every day: results are keyed by the date) ~0.6 s of CPU
    on the history bench, to save later runs a scan that costs about as
    much as reading the cached index back."""
    with _MEMO_LOCK:
        same = _BY_ID.get(id(data))
        found = _FINDERS.get(id(data))
    if same is not None and same[0] is data:
        return same[1]
    if found is not None and found[0] is data:
        return found[1]
    store = index_store
    key = None
    if store is not None:
        key = hashlib.sha256(data).hexdigest()
        with _MEMO_LOCK:
            hit = _MEMO.get(key)
        if hit is None:
            hit = store.get_index(key)
        if hit is not None:
            return hit
    finder = SectionFinder(data, key)
    with _MEMO_LOCK:
        if len(_FINDERS) > _MEMO_MAX:
            _FINDERS.clear()
        _FINDERS[id(data)] = (data, finder)
    return finder


def index_spec(data: bytes | str) -> SpecIndex:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with _MEMO_LOCK:
        same = _BY_ID.get(id(data))
    if same is not None and same[0] is data:
        return same[1]
    key = hashlib.sha256(data).hexdigest()
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
    store = index_store
    if hit is None and store is not None:
        hit = store.get_index(key)
    index = hit if hit is not None else build_index(data, key)
    if hit is None and store is not None:
        store.put_index(key, index)
    with _MEMO_LOCK:
        if len(_MEMO) > _MEMO_MAX:
            _MEMO.clear()
        if len(_BY_ID) > _MEMO_MAX:
            _BY_ID.clear()
        _MEMO[key] = index
        _BY_ID[id(data)] = (data, index)
    return index
