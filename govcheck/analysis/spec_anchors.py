"""What the packet says beside an anchor and where it lies in a spec: numbered
list items, codex tags in section titles, the words of a section's opening.

Pure functions of a spec index and its text. The caches here are keyed by
the spec's sha256 (content, not a run), bounded, and shared by every packet
of a run: spec-anchor-missing and spec-anchor-moved ask about the same
anchors of many packets."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from govcheck.analysis.text import split_lines
from govcheck.errors import GovcheckError
from govcheck.model import Packet

if TYPE_CHECKING:
    from govcheck.engine.context import Context


def list_item(index, data: bytes, sid: str) -> tuple[int, str] | None:
    """index.list_item(data, sid), computed once per spec and number: the
    scan reads the parent section's whole text, and spec-anchor-missing and
    spec-anchor-moved ask about the same anchors of every packet. ``data``
    is the text ``index`` was built from (both come from the context)."""
    key = (index.sha256, sid)
    if key not in _LIST_ITEMS:
        if len(_LIST_ITEMS) > 50_000:
            _LIST_ITEMS.clear()  # bounded: keyed by content, so clearing only costs time
        _LIST_ITEMS[key] = index.list_item(data, sid)
    return _LIST_ITEMS[key]


# (spec sha256, section id) -> the numbered list item it names, or None.
_LIST_ITEMS: dict[tuple[str, str], tuple[int, str] | None] = {}


TAG_RE = re.compile(r"\[?\b((?:CX|HSK|FR)-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b\]?")


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]{3,}")


_STOP = frozenset("with from that this into only plus phase main body spec section sections master handshake".split())


def anchor_context(packet: Packet, anchor, ctx: Context) -> str:
    """What the packet writes right after the anchor's number on its line
    (up to the next section number): a title or a codex tag naming what it
    means, e.g. ``2.3.12.3 [CX-DBP-040]``."""
    if anchor.title_hint:
        return anchor.title_hint
    try:
        line = split_lines(ctx.repo.read_text(packet.path))[anchor.line - 1]
    except (IndexError, OSError, GovcheckError):
        return ""
    start = line.find(anchor.range_end or anchor.section)
    if start < 0:
        return ""
    rest = line[start + len(anchor.range_end or anchor.section):]
    nxt = re.search(r"\d+\.\d+(?:\.\d+)+", rest)
    return rest[: nxt.start()] if nxt else rest


_LEADING_JOINERS = frozenset("plus and or see per in of via also with".split())


def title_hint(context: str) -> str:
    """The title-like part of what follows an anchor number: up to the
    first ``;``, ``,``, ``(`` or ``:``; empty when it reads as a sentence
    continuing ("plus Roadmap pointer ...") rather than a title."""
    text = re.sub(r"^[\s\-\u2013\u2014:.*`\]\[)]+", "", context)
    text = re.split(r"[;,(:]| - ", text, maxsplit=1)[0].strip(" *`")
    first = text.split(" ", 1)[0].lower() if text else ""
    return "" if not text or first in _LEADING_JOINERS else text


def section_words(index, data: bytes, sid: str, title: str, is_heading: bool) -> tuple[str, set[str]]:
    """A section's text (lower-cased) and the word stems of its opening,
    computed once per spec and section."""
    key = (index.sha256, sid)
    if key not in _SECTION_WORDS:
        if len(_SECTION_WORDS) > 50_000:
            _SECTION_WORDS.clear()  # bounded: keyed by content, so clearing only costs time
        text = (index.text(data, sid) or b"").decode("utf-8", "replace") if is_heading else title
        _SECTION_WORDS[key] = (text.lower(), stems(text[:3000]))
    return _SECTION_WORDS[key]


_SECTION_WORDS: dict[tuple[str, str], tuple[str, set[str]]] = {}


def stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD_RE.findall(text) if w.lower() not in _STOP}


def tag_locations(context: str, index) -> list[str]:
    tags = tuple(TAG_RE.findall(context))
    if not tags:
        return []
    key = (index.sha256, tags)
    found = _TAGGED.get(key)
    if found is None:
        found = _TAGGED[key] = tagged_sections(index, tags)[:3]
    return list(found)


def tagged_sections(index, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Ids of the sections whose title holds any of ``tags``, in document
    order: ``tuple(s.id for s in index.sections if any(t in s.title for t in
    tags))``, found by searching one string of all titles instead of
    testing every section. A title is one heading line and a tag holds no
    line break, so a tag found there lies inside one title."""
    joined = _titles(index)
    if joined is None or any("\n" in tag for tag in tags):
        return tuple(s.id for s in index.sections if any(t in s.title for t in tags))
    text, starts = joined
    hits: set[int] = set()
    for tag in tags:
        pos = text.find(tag) if tag else -1
        while pos >= 0:
            i = bisect.bisect_right(starts, pos) - 1
            hits.add(i)
            pos = text.find(tag, starts[i + 1]) if i + 1 < len(starts) else -1
    if not all(tags):  # "" is in every title
        hits = set(range(len(starts)))
    return tuple(index.sections[i].id for i in sorted(hits))


def _titles(index) -> tuple[str, list[int]] | None:
    """Every section title of the spec, joined by line breaks, and the
    offset where each starts (computed once per spec); None if a title
    somehow holds a line break."""
    key = index.sha256
    if key not in _TITLES:
        starts, pos = [], 0
        for sec in index.sections:
            starts.append(pos)
            pos += len(sec.title) + 1
        text = "\n".join(sec.title for sec in index.sections)
        if len(_TITLES) > 16:
            _TITLES.clear()
        _TITLES[key] = (text, starts) if text.count("\n") == max(len(starts) - 1, 0) else None
    return _TITLES[key]


_TITLES: dict[str, tuple[str, list[int]] | None] = {}


# (spec sha256, tags) -> sections whose heading carries a tag: many packets
# cite the same tags, and a 4 MB spec has thousands of headings.
_TAGGED: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def heading_in_code(data: bytes, section_id: str) -> bool:
    """Whether the spec writes a heading line numbered ``section_id``
    (``#### 4.3.9.12 ...``) that the section index did not take: it sits in
    fenced code (a template embedded in the spec, or a fence the spec
    leaves open above it), where no Markdown reader shows a section."""
    number = section_id.encode("ascii", "ignore")
    heading = re.compile(rb" {0,3}#{1,6}[ \t]+(?:\xc2\xa7)?" + re.escape(number) + rb"(?![0-9]|\.[0-9])")
    if not number:
        return re.search(rb"(?m)^" + heading.pattern, data) is not None
    # The number is looked for as a literal (a C-speed search) and the line
    # holding it is tried from its start: the pattern tried at every
    # position of a 4 MB spec (a MULTILINE "^" has no literal to look for)
    # cost ~30 ms a call.
    at = data.find(number)
    while at >= 0:
        line_start = data.rfind(b"\n", 0, at) + 1
        if heading.match(data, line_start):
            return True
        line_end = data.find(b"\n", at)
        if line_end < 0:
            return False
        at = data.find(number, line_end)
    return False


def section_exists(index, data: bytes, section_id: str) -> bool:
    """A section id names text in this spec: a numbered heading, a numbered
    list item under one, or a part whose numbered subsections exist."""
    return (index.lookup(section_id) is not None or index.has_subsections(section_id)
            or list_item(index, data, section_id) is not None)
