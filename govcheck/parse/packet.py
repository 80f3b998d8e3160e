"""Markdown task packet -> frozen ``Packet`` model.

Packets come in several generations (see docs/formats.md in the README):

* ``gen1``          bold bullet fields under ``## Metadata`` / ``## Quality Gate``
                    (``- **RISK_TIER**: MEDIUM``, ``- **TEST_PLAN**:`` with an
                    indented fence inside the list item);
* ``gen1-headings`` each field under its own heading (``## TEST_PLAN``);
* ``gen2``          ``PACKET_FORMAT_VERSION`` packets: plain bullets under
                    ``## METADATA``, ``### TEST_PLAN`` under ``## QUALITY_GATE``;
* ``gen3``          generated ``packet.md`` projections of ``packet.json``.

All of them reduce to one idea: a *field* is a name with an inline value and
a body. A field is either a list item whose first line reads ``NAME: value``
(body: the item's nested content) or a heading (body: everything up to the
next heading of the same or a higher level). The parser walks
markdown-it-py's flat token stream once, collects field nodes with their
line ranges, and reads every model attribute off those nodes, so each value
keeps the line it came from.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from dataclasses import replace
from typing import Iterable, Mapping, NamedTuple, Sequence

from markdown_it import MarkdownIt

from govcheck.model import (
    CodeBlock,
    DecodedText,
    DecodeIssue,
    DoneMeans,
    EvidenceEntry,
    EvidenceMapping,
    Field,
    LineSpan,
    ListItem,
    Packet,
    Scope,
    Section,
    SectionAnchor,
    SpecRef,
    TestPlan,
    ValidationReportRecord,
    Waiver,
)
from govcheck.model.profile import Profile, field_key, spec_reference_regex
from govcheck.parse.blocks import install as install_block_dispatch
from govcheck.parse.commands import split_commands
from govcheck.parse.front_matter import FrontMatter, read_front_matter
from govcheck.parse.packet_json import merge_packet_json
from govcheck.parse.text import BOM, decode, line_breaks, newline_style, normalize_for_matching
from govcheck.parse.versions import SPEC_FILE_RE
from govcheck.parse.vocabulary import normalize_status, parse_risk_tier, status_class

GENERATIONS = ("gen1", "gen1-headings", "gen2", "gen3")

# markdown-it's own nesting guard: deeper structure is kept as text rather
# than recursed into, so 3,000 nested bullets cost nothing and cannot
# overflow the stack.
_MAX_NESTING = 40
# Lines longer than this are not handed to the Markdown parser: a 10 MB
# single-line "packet" is reported, not parsed inline character by character.
_MAX_PARSED_LINE = 20_000
# Larger packets are reported and not parsed (``parse_packet``'s ``max_bytes``
# and ``max_lines``): parse time and memory grow with the line count (a flat
# list of 785,000 ``- item`` lines, 5.5 MB, took 21 s and 1.5 GB). The
# largest real packets are about 400 KB and 2,400 lines; 25,000 lines of
# list items that are fields (the slowest lines found) parse in under 1 s
# and 80 MB. The byte limit leaves room for a packet with one huge line,
# which is parsed without that line.
MAX_PACKET_BYTES = 16 * 1024 * 1024
MAX_PACKET_LINES = 25_000

# Only block structure is read (token types, line maps, fence info and
# content, and the raw ``content`` of a heading's inline token, which the
# block parser sets). The core "inline" rule, which splits every paragraph,
# list item and heading into child tokens nobody reads, is a third of the
# parse time: it stays off.
def packet_markdown(lean: bool = True) -> MarkdownIt:
    """The block parser packets are read with. Same tokens as markdown-it-py,
    a third of the time: rules dispatched by first character. With
    ``lean``, only the tokens this parser reads (parse.blocks.install):
    it reads an item's text from its line, paragraphs only outside lists
    (depth 0), and blocks by their opening tokens' line maps; tests parse
    every packet both ways."""
    md = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).disable(
        ["html_block", "html_inline", "entity", "link", "image", "autolink", "backticks", "emphasis", "inline"]
    )
    install_block_dispatch(md, lean=lean)
    return md


_md = packet_markdown()

_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)(?:\[[ xX]\]\s+)?")
# ``NAME: value`` with the name optionally bold, the colon inside or outside
# the bold: ``**Status:** Done``, ``**RISK_TIER**: MEDIUM``, ``STATUS: Ready``.
_FIELD_RE = re.compile(
    r"^(?P<b1>\*\*|__)?\s*(?P<name>[A-Za-z][A-Za-z0-9_/ -]{0,48}?)\s*"
    r"(?:(?P<b2>\*\*|__)\s*:|:\s*(?P<b3>\*\*|__)?)(?P<rest>.*)$"
)
# A shell rewrite turned ```bash into "`" + backspace + "ash" in real packets;
# the closing fence became a lone backtick. We repair both before parsing.
_MANGLED_FENCE_OPEN_RE = re.compile(r"^(\s*)`\x08?ash\s*$")
_MANGLED_FENCE_CLOSE_RE = re.compile(r"^(\s*)`\s*$")
_FENCE_RE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})(.*)$")

# Read as ``^\W*(?:\*\*)?\s*verdict\s*(?:\*\*)?\s*:\s*(?:\*\*)?\s*\[?...``, written
# so that no run of characters can be split two ways between adjacent
# quantifiers (``\W*`` already takes "**" and spaces; ``\s*(?:\*\*)?\s*``
# without the stars is ``\s*\s*``): the same lines match, each tried once
# instead of once per split (50 s for twenty 19,000-tab lines).
_VERDICT_RE = re.compile(
    r"^\W*verdict\s*(?:\*\*\s*)?:\s*(?:\*\*\s*)?\[?(PASS|FAIL|OUTDATED_ONLY)\b", re.I
)
_REPORT_HEADING_RE = re.compile(r"validation\s+report", re.I)
_GOVCHECK_REPORT_RE = re.compile(r"govcheck", re.I)
_PRIOR_SHA_RE = re.compile(r"prior[_ -]?sha256\s*[:=]\s*`?([0-9a-f]{64})", re.I)
_DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")

# Section ids: 2.3.12, optionally a range 2.3.10.6-2.3.10.8.
_SECTION_ID = r"\d{1,3}(?:\.\d{1,4})+"
# The ".md" look-ahead (a spec file name, not a section) stands before the
# id rather than after it: the id holds only digits and dots, so a ".md"
# follows its end exactly when it follows its start; checked there, it runs
# once per start instead of once per way the id can end (quadratic on a
# long "1.1.1...1.md").
_ANCHOR_RE = re.compile(
    rf"(?:(?<=[^\w.])|^)(?:\u00a7\s?|A(?=\d+\.))?(?![\w.]*\.md)(?P<start>{_SECTION_ID})(?!\.?\d)"
    rf"(?:\s*(?:-|\u2013|\.\.|to)\s*(?:\u00a7\s?|A)?(?P<end>{_SECTION_ID})(?!\.?\d))?"
)
# In prose, only numbers marked with a section sign are anchors.
_PROSE_ANCHOR_RE = re.compile(
    rf"\u00a7\s?(?P<start>{_SECTION_ID})(?!\.?\d)(?:\s*(?:-|\u2013)\s*\u00a7?\s?(?P<end>{_SECTION_ID})(?!\.?\d))?"
)
_MASTER_SPEC_VERSION_RE = re.compile(r"master\s*spec\s*v?(?P<version>\d{1,3}\.\d{1,4})\b", re.I)
# The project prefix is bounded ({0,80}) so a pathological line cannot make
# the scan quadratic.
_SPEC_FILE_ANY_RE = re.compile(r"(?<![\w.-])[\w.-]{0,80}?Master[_ -]Spec_v(?P<version>\d+\.\d+)(?:\.md)?", re.I)
_SPEC_CURRENT_PATH_RE = re.compile(r"SPEC_CURRENT(?:\.md)?", re.I)

# Headings whose contents are history (earlier reports, audit notes): spec
# versions and section numbers quoted there never anchor the packet.
_HISTORY_TITLE_RE = re.compile(
    r"validation[ _]report|^history|revalidation|audit\b|archaeology|status update|validation notes",
    re.I,
)

_STATUS_NAMES = ("STATUS", "WP_STATUS")
# Generation 1 packets record the signature as "**User Signature Locked:** ...".
_SIGNATURE_NAMES = ("USER_SIGNATURE", "USER_SIGNATURE_LOCKED")
_PLACEHOLDER_ONLY_RE = re.compile(r"^\s*(?:\(.*\)|none|n/a)?\s*$", re.I)


class FieldNode(NamedTuple):
    """A field before it becomes model attributes: where its body lies.
    (A named tuple, not a frozen dataclass: ~70 are made per packet, and a
    frozen dataclass sets each field through object.__setattr__.)"""

    name: str
    value: str
    line: int  # 1-based
    body_start: int  # 1-based first body line (inclusive)
    body_end: int  # 1-based last body line (inclusive); < body_start when empty
    kind: str  # "item" | "heading" | "line" | "front" (a front-matter key)
    level: int = 0  # heading level, or list depth
    items: tuple[tuple[str, int], ...] = ()  # a front-matter list: its items and their lines


class _Fence(NamedTuple):
    start: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence (or last line)
    info: str
    text: str
    terminated: bool


class _Doc:
    """The packet text with cheap line access and fence-aware structure."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        matched = normalize_for_matching(text)
        # Most packets need no repair: the same lines then (no second split).
        self.match_lines = self.lines if matched is text else matched.split("\n")
        self.match_text = matched
        if len(self.match_lines) != len(self.lines):  # defensive: keep 1:1 lines
            self.match_lines = self.lines
            self.match_text = text

    def lines_holding(self, word: str) -> list[int]:
        """The (1-based) match lines holding ``word`` (lower case) in any
        case, as ``word in line.casefold()`` says. For ASCII text one
        search through the lowered text instead of folding every line."""
        text = self.match_text
        if not text.isascii():
            return [n for n, raw in enumerate(self.match_lines, 1) if word in raw.casefold()]
        low = text.lower()
        out: list[int] = []
        line, counted = 1, 0
        at = low.find(word)
        while at >= 0:
            line += low.count("\n", counted, at)
            counted = at
            if not out or out[-1] != line:
                out.append(line)
            at = low.find(word, at + 1)
        return out

    def mark_fences(self, fences: Sequence["_Fence"]) -> None:
        # One flag per line: "is this line inside a fence" is asked for
        # every body line of every field.
        mask = bytearray(len(self.lines) + 2)
        for f in fences:
            end = min(f.end, len(self.lines) + 1)
            if f.start <= end:
                mask[f.start : end + 1] = b"\x01" * (end + 1 - f.start)
        self.fence_mask = mask

    def in_fence(self, n: int) -> bool:
        return 0 <= n < len(self.fence_mask) and self.fence_mask[n] == 1

    def line(self, n: int) -> str:
        return self.lines[n - 1] if 1 <= n <= len(self.lines) else ""

    def mline(self, n: int) -> str:
        return self.match_lines[n - 1] if 1 <= n <= len(self.match_lines) else ""


def parse_packet(
    data: bytes,
    *,
    packet_id: str,
    path: str,
    packet_json: bytes | None = None,
    decoded: DecodedText | None = None,
    max_bytes: int = MAX_PACKET_BYTES,
    max_lines: int = MAX_PACKET_LINES,
    profile: Profile | None = None,
) -> Packet:
    """Parse a packet's raw bytes (see :func:`_parse`), with its lifecycle
    facts (normalised status, its class, the risk tier) read once from the
    fields that won, after packet.json was merged in. ``profile`` names the
    dialect: other names of fields, front matter, the status vocabulary,
    spec file names (default: the reference project's)."""
    packet = _parse(data, packet_id=packet_id, path=path, packet_json=packet_json, decoded=decoded,
                    max_bytes=max_bytes, max_lines=max_lines, profile=profile)
    norm = normalize_status(packet.status.value) if packet.status is not None else ""
    if profile is not None and profile.statuses:
        meaning = profile.status_meaning(norm) if norm else ""
    else:
        meaning = status_class(norm) if norm else ""
    return replace(packet, status_norm=norm, status_class=meaning,
                   risk=parse_risk_tier(packet.risk_tier.value if packet.risk_tier is not None else None),
                   written_on=_iso_date(packet.field("DATE")),
                   format_version_date=_iso_date(packet.format_version))


_YMD_RE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")  # also in 2026-01-16T22:18Z


def _iso_date(field: Field | None) -> str | None:
    """The first YYYY-MM-DD in a field's value (``2026-02-01``,
    ``2026-01-16T10:00Z``), or None."""
    m = _YMD_RE.search(field.value) if field is not None else None
    return m.group(1) if m else None


def _parse(
    data: bytes,
    *,
    packet_id: str,
    path: str,
    packet_json: bytes | None = None,
    decoded: DecodedText | None = None,
    max_bytes: int = MAX_PACKET_BYTES,
    max_lines: int = MAX_PACKET_LINES,
    profile: Profile | None = None,
) -> Packet:
    """Parse a packet's raw bytes. Never raises for bad content: problems
    become ``decode_issues`` / ``parse_issues`` that rules report.
    ``decoded`` is ``decode(data)`` when the caller has it already.
    A packet (or packet.json) over ``max_bytes``, or a packet of more than
    ``max_lines`` lines, is not parsed: one parse issue says so."""
    sha = hashlib.sha256(data).hexdigest()
    too_large = _over_limits(data, max_bytes, max_lines)
    if too_large is not None:
        # Decode issues are left out too (the caller may not have decoded),
        # so the result does not depend on who decoded.
        return Packet(
            id=packet_id, path=path, sha256=sha, generation="gen1", has_bom=data.startswith(BOM),
            newline=newline_style(data), line_count=line_breaks(data) + 1, parse_issues=(too_large,),
        )
    decoded = decoded if decoded is not None else decode(data)
    parse_issues: list[DecodeIssue] = []
    if not decoded.text.strip():
        parse_issues.append(DecodeIssue("empty", 1, "is empty" if not data else "holds only whitespace"))
    if b"\x00" in data:
        issues = decoded.issues
        if not any(i.kind == "binary" for i in issues):
            line = data[: data.index(b"\x00")].count(b"\n") + 1
            nuls = data.count(b"\x00")
            issues = (*issues, DecodeIssue("binary", line, f"{nuls} NUL bytes"))
        # Binary content is not Markdown: report it, parse nothing.
        return Packet(
            id=packet_id, path=path, sha256=sha, generation="gen1", has_bom=decoded.has_bom,
            newline=decoded.newline, line_count=decoded.text.count("\n") + 1,
            decode_issues=issues, parse_issues=tuple(parse_issues),
        )
    text, repaired = _repair_mangled_fences(decoded.text)
    text = _indent_list_fence_bodies(text)
    parse_issues.extend(repaired)
    front: FrontMatter | None = None
    if profile is not None and profile.front_matter:
        front = read_front_matter(text.split("\n"))
        if front is not None and front.problem is not None:
            parse_issues.append(DecodeIssue("front-matter", front.problem[0], front.problem[1]))
    doc = _Doc(text)
    deep = _deep_nesting_line(doc.lines)
    if deep:
        parse_issues.append(
            DecodeIssue("deep-nesting", deep, f"list nesting deeper than {_MAX_NESTING} levels is not parsed")
        )
    # Front matter is not Markdown (its --- would read as a rule and its
    # last key as a setext heading): the tokenizer sees blank lines there.
    tokens, skipped = _tokenize(text, deep, doc.lines, blank_to=front.last if front is not None else 0)
    for line in skipped:
        parse_issues.append(
            DecodeIssue("long-line", line, f"line longer than {_MAX_PARSED_LINE} characters not parsed as Markdown")
        )

    sections = _sections(tokens, doc)
    fences = _fences(tokens, doc)
    doc.mark_fences(fences)
    for fence in fences:
        if not fence.terminated:
            parse_issues.append(
                DecodeIssue("unterminated-fence", fence.start, "code fence never closed; it runs to the end of the file")
            )
    history = _history_ranges(sections)
    aliases = profile.aliases if profile is not None else {}
    nodes = _field_nodes(tokens, doc, sections, aliases,
                         label_bodies=profile is not None and profile.label_bodies)
    if front is not None:
        nodes = _front_nodes(front, aliases) + nodes

    history_mask = bytearray(len(doc.lines) + 2)
    for a, b in history:
        b = min(b, len(doc.lines) + 1)
        if a <= b:
            history_mask[a : b + 1] = b"\x01" * (b + 1 - a)

    def in_history(line: int) -> bool:
        return 0 <= line < len(history_mask) and history_mask[line] == 1

    live_nodes = [n for n in nodes if not in_history(n.line)]
    fields = tuple(
        Field(
            n.name,
            _clean_value(n.value),
            n.line,
            tuple(_body_items(n, doc, fences)) if n.kind in ("item", "front", "line") and (n.body_end >= n.body_start or n.items) else (),
        )
        for n in nodes
        if n.kind != "heading" or n.value
    )

    title, title_line = _title(tokens, doc)
    if title is None and front is not None:
        title, title_line = next(((v.value, v.line) for v in front.values if field_key(v.key) == "TITLE" and v.value),
                                 (None, None))
    format_version = _first_field(live_nodes, ("PACKET_FORMAT_VERSION",))
    generation = _generation(doc, nodes, format_version is not None)

    # Metadata is looked for outside history first; packets edited by hand
    # sometimes have a report pasted into the middle of their metadata, so
    # fall back to any occurrence rather than call the field missing.
    status = _status(live_nodes, sections) or _status(nodes, sections)
    risk_tier = _risk_tier(live_nodes, doc) or _risk_tier(nodes, doc)

    spec_names = profile.spec_files if profile is not None else ()
    spec_refs = _spec_refs(live_nodes, doc, in_history, spec_names)
    anchors = _anchors(live_nodes, doc, in_history)

    packet = Packet(
        id=packet_id,
        path=path,
        sha256=sha,
        generation=generation,
        title=title,
        title_line=title_line,
        has_bom=decoded.has_bom,
        newline=decoded.newline,
        line_count=len(doc.lines),
        format_version=format_version,
        status=status,
        risk_tier=risk_tier,
        requestor=_first_field(live_nodes, ("REQUESTOR",)) or _first_field(nodes, ("REQUESTOR",)),
        user_signature=_first_field(live_nodes, _SIGNATURE_NAMES) or _first_field(nodes, _SIGNATURE_NAMES),
        fields=fields,
        scope=_scope(live_nodes, doc, fences, sections),
        test_plan=_test_plan(live_nodes, doc, fences, _code_blocks(tokens),
                             profile.test_plan_forms if profile is not None else ("fenced",)),
        done_means=_done_means(live_nodes, doc, fences),
        rollback_hint=_block_field(live_nodes, doc, fences, ("ROLLBACK_HINT", "ROLLBACK")),
        bootstrap=_bootstrap(live_nodes, doc, fences),
        skeleton_approved_line=_skeleton_approved(doc, fences),
        spec_refs=spec_refs,
        anchors=anchors,
        waivers=_waivers(live_nodes, doc, [s for s in sections if not in_history(s.line)]),
        evidence_mappings=_evidence_mappings(live_nodes, doc),
        evidence=_evidence(live_nodes, doc),
        validation_reports=_validation_reports(sections, doc, fences),
        sections=tuple(sections),
        fences=tuple(LineSpan(f.start, f.end) for f in fences),
        decode_issues=decoded.issues,
        parse_issues=tuple(parse_issues),
    )
    if packet_json is not None:
        packet = merge_packet_json(packet, packet_json, max_bytes=max_bytes)
    return packet


def _over_limits(data: bytes, max_bytes: int, max_lines: int) -> DecodeIssue | None:
    """The parse issue of a packet too large to parse, or None. Its kind is
    "unreadable": the packet-unreadable finding is then the only one (no
    content rule reports fields "missing" from a packet that was not read),
    and the packet runs no commands."""
    if len(data) > max_bytes:
        return DecodeIssue(
            "unreadable", line_breaks(data, max_bytes) + 1,
            f"is too large to check: {len(data):,} bytes, over the limit of {max_bytes:,} "
            "(this line holds the first byte past it); not parsed",
        )
    breaks = line_breaks(data)
    # A final line break ends the last line; it does not start another.
    lines = breaks + (0 if data.endswith((b"\n", b"\r")) else 1)
    if lines > max_lines:
        return DecodeIssue(
            "unreadable", max_lines + 1,
            f"is too long to check: {lines:,} lines, over the limit of {max_lines:,} "
            "(this is the first line past it); not parsed",
        )
    return None


# --------------------------------------------------------------------------
# Tokenising
# --------------------------------------------------------------------------


def _fence_close(lines: Sequence[str], start: int, char: str, length: int) -> int | None:
    for j in range(start, len(lines)):
        line = lines[j]
        if char not in line:  # cheap test first: most lines hold no fence character
            continue
        stripped = line.strip()
        if len(stripped) >= length and set(stripped) == {char} and len(line) - len(line.lstrip()) < 4:
            return j
    return None


# A fence opened inside a list item, 1-3 spaces in: its marker, and the
# indentation it was written at.
_LIST_FENCE_RE = re.compile(r"^( {1,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM_START_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def _indent_list_fence_bodies(text: str) -> str:
    """Read a fence opened inside a list item the way its writer wrote it.

    Generated projections open a fence inside a list item (``  ```text``)
    and close it at the same indentation, but leave the body lines they
    copy from the spec unindented. CommonMark (markdown-it-py, and so
    GitHub) ends the list item, and with it the fence, at the first
    unindented body line; the closing marker then opens a new fence that
    runs on and swallows the sections after it (TEST_PLAN, DONE_MEANS ...).
    The writer's intent is plain from the markers: an opener and a closer
    at the same indentation, with the same character, the closer at least
    as long and bare. For such a pair, and only when some body line is
    indented less than the markers, the body lines are indented to the
    markers before tokenising, so the fence ends where it was closed. Line
    numbers do not change; the fence's content is the same text.
    """
    if "  ```" not in text and "  ~~~" not in text and " ```" not in text and " ~~~" not in text:
        return text
    lines = text.split("\n")
    # (indent, char) -> line numbers of bare markers (closers), and of every
    # marker at that indentation: one pass, then a bisect per opener, so a
    # hostile packet of openers without closers costs n log n.
    closers: dict[tuple[str, str], list[int]] = {}
    markers: dict[tuple[str, str], list[int]] = {}
    found: list[tuple[int, re.Match]] = []
    for n, line in enumerate(lines):
        if "``" not in line and "~~" not in line:
            continue
        m = _LIST_FENCE_RE.match(line)
        if m is None:
            continue
        key = (m.group(1), m.group(2)[0])
        markers.setdefault(key, []).append(n)
        if not m.group(3).strip():
            closers.setdefault(key, []).append(n)
        found.append((n, m))
    closer_sets = {key: set(ns) for key, ns in closers.items()}
    changed = False
    next_free = 0
    for n, m in found:
        if n < next_free:
            continue  # inside a fence already paired
        indent, marker, info = m.group(1), m.group(2), m.group(3)
        if marker[0] == "`" and "`" in info:
            continue  # not a fence opener (CommonMark: no backtick in a backtick fence's info)
        if not _follows_list_item(lines, n, len(indent)):
            continue
        key = (indent, marker[0])
        later = markers[key]
        k = bisect.bisect_right(later, n)
        if k == len(later) or later[k] not in closer_sets.get(key, ()) or len(lines[later[k]].strip()) < len(marker):
            continue  # the next marker at this indentation is not its closer
        close = later[k]
        body = range(n + 1, close)
        if any(lines[j].strip() and not lines[j].startswith(indent) for j in body):
            for j in body:
                if lines[j].strip() and not lines[j].startswith(indent):
                    lines[j] = indent + lines[j]
            changed = True
        next_free = close + 1
    return "\n".join(lines) if changed else text


def _follows_list_item(lines: list[str], n: int, indent: int) -> bool:
    """Whether line ``n`` (indented ``indent``) sits inside a list item: the
    nearest line above that has text starts one, or is indented as far."""
    for j in range(n - 1, max(-1, n - 200), -1):
        above = lines[j]
        if not above.strip():
            continue
        return bool(_LIST_ITEM_START_RE.match(above)) or len(above) - len(above.lstrip(" ")) >= indent
    return False


def _repair_mangled_fences(text: str) -> tuple[str, list[DecodeIssue]]:
    """Repair the two fence manglings real packets hold, keeping line count:
    ``"`" + backspace + "ash"`` ... ``"`"`` (a shell rewrite of ```bash),
    and a real ```bash opener whose closer was reduced to a lone backtick.
    The first is a warning (the content is intact); the second an error
    (rendered, the fence swallows the rest of the packet)."""
    if "`" not in text:
        return text, []
    lines = text.split("\n")
    issues: list[DecodeIssue] = []
    # lines[lo:hi] are known to be neither fences nor lone backticks. Every
    # mangled opener looks up to 400 lines ahead for the first such line;
    # consecutive openers ask about the same lines, so what one scan saw is
    # kept (until a line is rewritten) rather than scanned again by each
    # (10 s for 50,000 "`ash" lines).
    lo = hi = 0

    def first_stop(start: int, stop: int) -> int | None:
        """The first j in [start, stop) where lines[j] is a fence or a
        lone backtick, or None."""
        nonlocal lo, hi
        if lo <= start <= hi:
            j = hi  # lines[start:hi] are known clear
        else:
            lo = hi = j = start
        while j < stop:
            if _FENCE_RE.match(lines[j]) or _MANGLED_FENCE_CLOSE_RE.match(lines[j]):
                hi = j
                return j
            j += 1
        hi = j
        return None

    rewritten = False

    def rewrite(j: int, new: str) -> None:
        nonlocal lo, hi, rewritten
        lines[j] = new
        lo = hi = 0  # what was known clear may have changed
        rewritten = True

    i = 0
    while i < len(lines):
        if "`" not in lines[i] and "~" not in lines[i]:
            i += 1  # neither pattern below can match
            continue
        fence = _FENCE_RE.match(lines[i])
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            char, length = fence.group(2)[0], len(fence.group(2))
            close = _fence_close(lines, i + 1, char, length)
            if close is None:
                lone = next((j for j in range(i + 1, len(lines)) if _MANGLED_FENCE_CLOSE_RE.match(lines[j])), None)
                if lone is None:
                    break  # truly unterminated: markdown-it runs it to the end
                indent = _MANGLED_FENCE_CLOSE_RE.match(lines[lone]).group(1)
                rewrite(lone, indent + char * length)
                issues.append(DecodeIssue(
                    "unterminated-fence", i + 1,
                    f"code fence opened here is closed only by a lone backtick at line {lone + 1} (mangled closing fence); read as closed there",
                ))
                close = lone
            swallowed = _swallowed_structure(lines, i + 1, close, fence.group(3))
            if swallowed is not None:
                what = "heading" if lines[swallowed].lstrip().startswith("#") else "fence opener"
                blank = next((j for j in range(swallowed - 1, i, -1) if not lines[j].strip()), None)
                if blank is not None:
                    rewrite(blank, fence.group(1) + char * length)
                    close = blank
                issues.append(DecodeIssue(
                    "unterminated-fence", i + 1,
                    f"code fence opened here is not closed before the {what} at line {swallowed + 1}; "
                    "rendered, it swallows the sections that follow"
                    + (f" (read as closed at line {blank + 1})" if blank is not None else ""),
                ))
            i = close + 1
            continue
        m = _MANGLED_FENCE_OPEN_RE.match(lines[i])
        if m:
            # The first fence or lone backtick within 400 lines: a lone
            # backtick closes the mangled fence, a fence means it is none.
            j = first_stop(i + 1, min(len(lines), i + 400))
            c = None if j is None or _FENCE_RE.match(lines[j]) else _MANGLED_FENCE_CLOSE_RE.match(lines[j])
            if c:
                rewrite(i, f"{m.group(1)}```bash")
                rewrite(j, f"{c.group(1)}```")
                issues.append(DecodeIssue(
                    "mangled-fence", i + 1, "```bash fence mangled by a shell rewrite (`\\bash ... `); read as a fence"
                ))
                i = j
        i += 1
    return ("\n".join(lines) if rewritten else text), issues


_SWALLOWED_HEADING_RE = re.compile(r"^#{2,6}\s+\S")
_FENCE_WITH_INFO_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})[A-Za-z]")
_SHELL_INFO = {"", "bash", "sh", "shell", "console", "zsh", "powershell", "ps1", "cmd"}


def _swallowed_structure(lines: Sequence[str], start: int, close: int, info: str) -> int | None:
    """In a shell fence, the first line that must be packet structure rather
    than fence content: a ``##`` heading (a shell comment has one ``#``) or a
    fence opener with an info string (it cannot close a fence, so the
    earlier fence lost its closer)."""
    if info.strip().split(" ")[0].lower() not in _SHELL_INFO:
        return None
    for j in range(start, close):
        if _SWALLOWED_HEADING_RE.match(lines[j]) or _FENCE_WITH_INFO_RE.match(lines[j]):
            return j
    return None


def _deep_nesting_line(lines: Sequence[str]) -> int | None:
    """The first bullet indented past the nesting the parser descends to.
    (A loop over the lines already split: a ``^\\s{40}`` MULTILINE regex
    as a prefilter tried every character of the text, 4x slower.)"""
    limit = 2 * _MAX_NESTING
    for n, line in enumerate(lines, 1):
        if len(line) > limit and line[:limit].isspace() and _BULLET_RE.match(line):
            return n
    return None


def _has_long_line(lines: Sequence[str], limit: int = _MAX_PARSED_LINE) -> bool:
    """Is any line longer than ``limit`` characters. A length scan over the
    lines already split: a regex such as ``[^\\n]{limit+1}`` restarts at every
    character and counts on to the line's end, which costs the sum of the
    squared line lengths (seconds on 3,000 nested bullets of ~9 MB)."""
    return bool(lines) and max(map(len, lines)) > limit


def _tokenize(text: str, deep_from: int | None = None, lines: Sequence[str] | None = None,
              blank_to: int = 0) -> tuple[list, list[int]]:
    """Tokens for the text; over-long lines, and lines nested deeper than
    the parser descends, are blanked first (same line count) so they cost
    nothing. ``lines`` is ``text.split("\\n")`` when the caller has it."""
    skipped: list[int] = []
    if lines is None:
        lines = text.split("\n")
    long_lines = len(text) > _MAX_PARSED_LINE and _has_long_line(lines)
    if long_lines or deep_from or blank_to:
        limit = 2 * _MAX_NESTING
        lines = list(lines)  # the caller's list stays as it is
        lines[:blank_to] = [""] * min(blank_to, len(lines))
        for i, l in enumerate(lines):
            if len(l) > _MAX_PARSED_LINE:
                skipped.append(i + 1)
                lines[i] = ""
            elif deep_from and i + 1 >= deep_from and l[:limit].isspace() and len(l) > limit:
                lines[i] = ""
        text = "\n".join(lines)
    try:
        return _md.parse(text), skipped
    except RecursionError:  # pragma: no cover - maxNesting prevents this
        return [], skipped


def _sections(tokens: list, doc: _Doc) -> list[Section]:
    heads: list[tuple[str, int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1])
            title = tokens[i + 1].content.strip() if i + 1 < len(tokens) else ""
            heads.append((title, level, tok.map[0] + 1))
    # A section ends before the next heading of the same or a higher level.
    # The headings still open form a stack of strictly rising levels, so a
    # heading closes exactly the entries it pops: one pass (looking ahead
    # from every heading, with a slice each time, was quadratic: 4 s for
    # 50,000 headings).
    ends = [len(doc.lines)] * len(heads)
    open_heads: list[int] = []
    for k, (_, level, line) in enumerate(heads):
        while open_heads and heads[open_heads[-1]][1] >= level:
            ends[open_heads.pop()] = line - 1
        open_heads.append(k)
    return [Section(title=title, level=level, line=line, end_line=end) for (title, level, line), end in zip(heads, ends)]


def _fences(tokens: list, doc: _Doc) -> list[_Fence]:
    out: list[_Fence] = []
    for tok in tokens:
        if tok.type == "fence" and tok.map:
            start, end_excl = tok.map[0] + 1, tok.map[1]
            closing = doc.line(end_excl).strip()
            terminated = end_excl > start and bool(closing) and set(closing) <= {tok.markup[0]} and len(closing) >= len(tok.markup)
            out.append(_Fence(start, end_excl, tok.info.strip(), tok.content, terminated))
    return out


def _history_ranges(sections: Sequence[Section]) -> list[tuple[int, int]]:
    return [(s.line, s.end_line) for s in sections if _HISTORY_TITLE_RE.search(s.title)]


_NON_NAME_RE = re.compile(r"[^A-Z0-9]+")


@functools.lru_cache(maxsize=4096)
def _canonical_name(name: str) -> str:
    # Cached: the same few dozen names are canonicalised thousands of times.
    return _NON_NAME_RE.sub("_", name.upper()).strip("_")


def _match_field(text: str) -> tuple[str, str] | None:
    """``NAME: value`` on a line (bullet already removed), or None."""
    if ":" not in text:
        return None
    m = _FIELD_RE.match(text.strip())
    if not m:
        return None
    bold, name, b2, b3, rest = m.group("b1", "name", "b2", "b3", "rest")  # one call: this runs for most lines
    name = name.strip()
    # Plain (not bold) names must look like keys, not sentences: at most four
    # words, or one upper-case identifier.
    if not bold and len(name.split()) > 4:
        return None
    if bold and b2 is None and b3 is None and "**" not in m.group(0)[2:]:
        return None
    if bold and not b2 and rest.startswith("**"):
        rest = rest[2:]
    return _canonical_name(name), rest.strip()


# The token types _field_nodes reads (list depth +1/-1, items, headings,
# paragraphs); every other token is skipped with one dict lookup.
_NODE_TOKEN_KINDS = {
    "bullet_list_open": 1, "ordered_list_open": 1,
    "bullet_list_close": -1, "ordered_list_close": -1,
    "list_item_open": 2, "heading_open": 3, "paragraph_open": 4,
}


def _field_nodes(tokens: list, doc: _Doc, sections: Sequence[Section],
                 aliases: Mapping[str, str] | None = None, label_bodies: bool = False) -> list[FieldNode]:
    nodes = _raw_field_nodes(tokens, doc, sections)
    if label_bodies:
        nodes = _with_label_bodies(nodes, tokens, len(doc.lines))
    if aliases:
        # A team's own name for a field (``Acceptance criteria``) is that field.
        nodes = [n._replace(name=aliases[n.name]) if n.name in aliases else n for n in nodes]
    return nodes


def _with_label_bodies(nodes: list[FieldNode], tokens: list, last_line: int) -> list[FieldNode]:
    """A label alone on its line (``**Definition of done:**``, no value) gets
    the blocks below it as its body: up to the next heading or the next
    label line, else to the end of the file."""
    stops = sorted({tok.map[0] + 1 for tok in tokens if tok.type == "heading_open" and tok.map}
                   | {n.line for n in nodes if n.kind == "line"})
    out = []
    for n in nodes:
        if n.kind == "line" and not _clean_value(n.value):
            after = bisect.bisect_right(stops, n.line)
            end = stops[after] - 1 if after < len(stops) else last_line
            n = n._replace(body_end=end)
        out.append(n)
    return out


def _front_nodes(front: FrontMatter, aliases: Mapping[str, str]) -> list[FieldNode]:
    """Front-matter keys as field nodes. A list's body is its item lines
    (block style, ``- item``), which the body readers take as bullets; an
    inline list (``[a, b]``) is read from its value."""
    out = []
    for v in front.values:
        name = _canonical_name(v.key)
        name = aliases.get(name, name)
        item_lines = sorted({line for _, line in v.items if line > v.line})
        end = item_lines[-1] if item_lines else v.line
        out.append(FieldNode(name, "" if v.is_list else v.value, v.line, v.line + 1, end, "front", 0, v.items))
    return out


def _raw_field_nodes(tokens: list, doc: _Doc, sections: Sequence[Section]) -> list[FieldNode]:
    nodes: list[FieldNode] = []
    depth = 0
    section_at = {}
    for s in sections:
        section_at.setdefault(s.line, s)
    kinds = _NODE_TOKEN_KINDS
    lines = doc.lines
    for i, tok in enumerate(tokens):
        kind = kinds.get(tok.type)
        if kind is None:  # most tokens: inline, *_close, fences
            continue
        if kind == 1:
            depth += 1
        elif kind == -1:
            depth -= 1
        elif kind == 2 and tok.map:
            first = tok.map[0] + 1
            line = lines[first - 1] if first <= len(lines) else ""  # doc.line, inlined: once per list item
            if ":" not in line:  # no "NAME: value" possible; most items
                continue
            raw = _BULLET_RE.sub("", line, count=1)
            hit = _match_field(raw)
            if hit:
                name, value = hit
                nodes.append(FieldNode(name, value, first, first + 1, tok.map[1], "item", depth))
        elif kind == 3 and tok.map:
            line = tok.map[0] + 1
            title = tokens[i + 1].content.strip()
            hit = _match_field(title)
            name, value = hit if hit else (_canonical_name(_strip_heading_decor(title)), "")
            sec = section_at.get(line)
            end = sec.end_line if sec else line
            if not value:
                value = _single_line_body(doc, line + 1, end)
            nodes.append(FieldNode(name, value, line, line + 1, end, "heading", int(tok.tag[1])))
        elif kind == 4 and tok.map and depth == 0:
            # Field lines in paragraphs: ``**Status:** Ready for Dev``,
            # ``Verdict: PASS``. Only bold or identifier-like names count.
            for ln in range(tok.map[0] + 1, tok.map[1] + 1):
                raw = doc.line(ln)
                if ":" not in raw:
                    continue
                hit = _match_field(raw)
                if hit and (raw.lstrip().startswith(("**", "__")) or re.fullmatch(r"[A-Z][A-Z0-9_]+", hit[0])):
                    nodes.append(FieldNode(hit[0], hit[1], ln, ln + 1, ln, "line", 0))
    return nodes


def _single_line_body(doc: _Doc, start: int, end: int) -> str:
    """``### SPEC_CURRENT`` followed by one line (``- `Handshake_..._v02.98.md` ``)
    states a value the way a bold field does; a longer body does not."""
    lines: list[str] = []
    for n in range(start, min(end, start + 40) + 1):
        text = doc.line(n).strip()
        if text:
            lines.append(text)
            if len(lines) > 1:
                return ""
    if len(lines) != 1 or lines[0].startswith(("#", "```", "~~~", "|")):
        return ""
    return _BULLET_RE.sub("", lines[0], count=1).strip().strip("`").strip()


_OPENING_BRACKET_RE = re.compile(r"[\[(]")


def _strip_heading_decor(title: str) -> str:
    # "TEST_PLAN [CX-123]" -> "TEST_PLAN"; "BOOTSTRAP (Coder Work Plan)" -> "BOOTSTRAP".
    return _drop_bracketed(title).strip(" :#*")


def _drop_bracketed(text: str) -> str:
    r"""``re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text)`` in linear time: the
    regex looks for a closing bracket from every opening one, to the end of
    the text when there is none ("((((...": quadratic). Once a closing
    bracket is missing after some point it is missing after every later
    one, so each kind is searched for past that point once."""
    out: list[str] = []
    i = 0  # text[:i] is done
    closed = {"[": True, "(": True}  # may a closing bracket still follow
    for m in _OPENING_BRACKET_RE.finditer(text):
        at = m.start()
        opener = text[at]
        if at < i or not closed[opener]:
            continue  # inside the last bracketed part, or cannot close
        close = text.find("]" if opener == "[" else ")", at + 1)
        if close < 0:
            closed[opener] = False
            continue
        out.append(text[i:at])
        out.append(" ")
        i = close + 1
    out.append(text[i:])
    return "".join(out)


def _clean_value(value: str) -> str:
    return value.strip().strip("*").strip()


def _first_field(nodes: Iterable[FieldNode], names: Sequence[str]) -> Field | None:
    for n in nodes:
        if n.name in names and (n.value or n.kind != "heading"):
            return Field(names[0], _clean_value(n.value), n.line)
    return None


def _find_nodes(nodes: Iterable[FieldNode], names: Sequence[str]) -> list[FieldNode]:
    return [n for n in nodes if n.name in names]


# --------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------


def _title(tokens: list, doc: _Doc) -> tuple[str | None, int | None]:
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.map:
            return tokens[i + 1].content.strip(), tok.map[0] + 1
    return None, None


def _generation(doc: _Doc, nodes: Sequence[FieldNode], has_format_version: bool) -> str:
    head = "\n".join(doc.lines[:3])
    if "HANDSHAKE_GENERATED_PROJECTION" in head:
        return "gen3"
    if has_format_version:
        return "gen2"
    if any(n.kind == "heading" and n.name in ("TEST_PLAN", "DONE_MEANS", "RISK_TIER") for n in nodes):
        return "gen1-headings"
    return "gen1"


def _status(nodes: Sequence[FieldNode], sections: Sequence[Section]) -> Field | None:
    # The metadata block's status wins over later "Status:" lines in notes.
    meta = [s for s in sections if _canonical_name(s.title) in ("METADATA", "META_DATA", "STATUS")]
    candidates = [n for n in nodes if n.name in _STATUS_NAMES and n.value.strip(" *")]
    # Nodes come in line order: the first candidate inside a section is the
    # first at or after its heading (a bisection, not a scan of every
    # candidate for every section: quadratic with thousands of both).
    lines = [n.line for n in candidates]
    for sec in meta:
        k = bisect.bisect_left(lines, sec.line)
        if k < len(candidates) and lines[k] <= sec.end_line:
            n = candidates[k]
            return Field("STATUS", _clean_value(n.value), n.line)
    for n in candidates:
        if n.kind in ("item", "line", "front"):
            return Field("STATUS", _clean_value(n.value), n.line)
    return None


def _risk_tier(nodes: Sequence[FieldNode], doc: _Doc) -> Field | None:
    for n in nodes:
        if n.name == "RISK_TIER":
            if n.value.strip():
                return Field("RISK_TIER", _clean_value(n.value), n.line)
            # ``## RISK_TIER`` heading with ``- Level: HIGH`` (or a bare value) below.
            for ln in range(n.body_start, n.body_end + 1):
                raw = _BULLET_RE.sub("", doc.line(ln), count=1).strip()
                if not raw:
                    continue
                hit = _match_field(raw)
                if hit and hit[0] in ("LEVEL", "TIER", "RISK_TIER"):
                    return Field("RISK_TIER", _clean_value(hit[1]), ln)
                if not hit:
                    return Field("RISK_TIER", _clean_value(raw), ln)
            return Field("RISK_TIER", "", n.line)
    return None


def _body_fences(node: FieldNode, fences: Sequence[_Fence]) -> list[_Fence]:
    return [f for f in fences if node.body_start <= f.start <= node.body_end]


def _body_items(node: FieldNode, doc: _Doc, fences: Sequence[_Fence]) -> list[ListItem]:
    """Bullets in a field's body, outside fences, with relative depth."""
    if node.kind == "front":
        return [ListItem(text, line) for text, line in node.items]
    items: list[ListItem] = []
    base_indent: int | None = None
    continuation_of: int | None = None
    for ln in range(node.body_start, node.body_end + 1):
        if doc.in_fence(ln):
            continue
        raw = doc.line(ln)
        if not raw.strip():
            continue
        if raw.lstrip().startswith("#"):
            if node.kind == "item":
                break
            continue
        m = _BULLET_RE.match(raw)
        if not m:
            # A lazy continuation line of the previous bullet.
            if items and continuation_of is not None and raw.startswith((" ", "\t")):
                prev = items[-1]
                items[-1] = ListItem(prev.text + " " + raw.strip(), prev.line, prev.depth)
            continue
        indent = len(raw) - len(raw.lstrip())
        if base_indent is None:
            base_indent = indent
        depth = max(0, (indent - base_indent) // 2)
        text = raw[m.end():].strip()
        items.append(ListItem(text, ln, depth))
        continuation_of = ln
    return items


def _body_text_lines(node: FieldNode, doc: _Doc) -> list[tuple[int, str]]:
    return [(ln, doc.line(ln)) for ln in range(node.body_start, node.body_end + 1)]


def _is_placeholder_only(text: str) -> bool:
    return bool(_PLACEHOLDER_ONLY_RE.match(text))


def _code_blocks(tokens: list) -> tuple[tuple[int, int, str], ...]:
    """Indented code blocks: (first line, last line, text)."""
    return tuple((tok.map[0] + 1, tok.map[1], tok.content) for tok in tokens if tok.type == "code_block" and tok.map)


_INLINE_COMMAND_RE = re.compile(r"^(`+)(?P<command>[^`]+)\1\s*$")


def _test_plan(nodes: Sequence[FieldNode], doc: _Doc, fences: Sequence[_Fence],
               code_blocks: Sequence[tuple[int, int, str]] = (),
               forms: Sequence[str] = ("fenced",)) -> TestPlan | None:
    """The TEST_PLAN's commands: its fenced blocks; where the profile's
    ``forms`` say so also its indented code blocks, or a list whose items
    are each one inline-code command (``- `pytest -q` ``); or a
    front-matter list. Anything else
    under it is prose (no command: field-missing says so)."""
    found = _find_nodes(nodes, ("TEST_PLAN",))
    if not found:
        return None
    node = found[0]
    blocks: list[CodeBlock] = []
    commands = []
    if node.kind == "front":
        entries = node.items or (((node.value, node.line),) if node.value.strip() else ())
        for text, line in entries:
            commands.extend(split_commands(text, line))
        return TestPlan(line=node.line, blocks=(), commands=tuple(commands), prose=())
    for f in _body_fences(node, fences):
        blocks.append(CodeBlock(f.info, f.text, f.start, f.end, f.terminated))
        commands.extend(split_commands(f.text, f.start + 1))
    for start, end, text in code_blocks if "indented" in forms else ():
        if node.body_start <= start <= node.body_end:
            blocks.append(CodeBlock("", text, start, end, True))
            commands.extend(split_commands(text, start))
    prose = [] if blocks else _body_items(node, doc, fences)
    if "inline-code" in forms and not blocks and prose:
        inline = [_INLINE_COMMAND_RE.match(item.text.strip()) for item in prose]
        if all(inline):
            for item, m in zip(prose, inline):
                commands.extend(split_commands(m.group("command").strip(), item.line))  # type: ignore[union-attr]
            return TestPlan(line=node.line, blocks=(), commands=tuple(commands), prose=())
    if not blocks and node.value.strip():
        prose.insert(0, ListItem(node.value.strip(), node.line))
    return TestPlan(line=node.line, blocks=tuple(blocks), commands=tuple(commands), prose=tuple(prose))


def _done_means(nodes: Sequence[FieldNode], doc: _Doc, fences: Sequence[_Fence]) -> DoneMeans | None:
    found = _find_nodes(nodes, ("DONE_MEANS",))
    if not found:
        return None
    node = found[0]
    items = _criteria(_body_items(node, doc, fences))
    # A heading's value is its one-line body (_single_line_body): that line
    # is already an item when it is a bullet.
    if node.value.strip() and not (node.kind == "heading" and items):
        items.insert(0, ListItem(_clean_value(node.value), node.line))
    if not items:
        # Criteria written as plain paragraph lines under a heading.
        for ln, raw in _body_text_lines(node, doc):
            if raw.strip() and not raw.lstrip().startswith("#") and not doc.in_fence(ln):
                items.append(ListItem(raw.strip(), ln))
    return DoneMeans(line=node.line, items=tuple(items))


_FIELD_KEY_BULLET_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+:(?:\s|$)")


def _criteria(items: Sequence[ListItem]) -> list[ListItem]:
    """Top-level DONE_MEANS bullets are the criteria, except a bullet that
    only introduces a group (``- Visibility/audit:`` with nested bullets):
    its children are the criteria, read with the group's name in front.
    A bullet that is a field key of its own (``- PRIMITIVES_EXPOSED:``, an
    upper-case identifier) is metadata the template keeps beside the
    criteria: neither it nor its sub-bullets (primitive ids) are criteria."""
    out: list[ListItem] = []
    for k, item in enumerate(items):
        if item.depth != 0:
            continue
        if _FIELD_KEY_BULLET_RE.match(item.text.strip()):
            continue
        children = []
        for child in items[k + 1 :]:
            if child.depth == 0:
                break
            if child.depth == 1:
                children.append(child)
        if children and item.text.rstrip().endswith(":"):
            out.extend(ListItem(f"{item.text.rstrip()} {c.text}", c.line) for c in children)
        else:
            out.append(item)
    return out


def _block_field(
    nodes: Sequence[FieldNode], doc: _Doc, fences: Sequence[_Fence], names: Sequence[str]
) -> Field | None:
    """A field whose content may be an inline value, bullets or a fence;
    the model keeps the text (fence content, else bullets, else value)."""
    found = _find_nodes(nodes, names)
    if not found:
        return None
    node = found[0]
    parts: list[str] = []
    if node.value.strip():
        parts.append(_clean_value(node.value))
    for f in _body_fences(node, fences):
        parts.append(f.text.strip())
    for it in _body_items(node, doc, fences):
        parts.append(it.text)
    if not parts:
        for ln, raw in _body_text_lines(node, doc):
            if raw.strip() and not doc.in_fence(ln) and not raw.lstrip().startswith("#"):
                parts.append(raw.strip())
    return Field(names[0], "\n".join(p for p in parts if p), node.line)


def _bootstrap(nodes: Sequence[FieldNode], doc: _Doc, fences: Sequence[_Fence]) -> Field | None:
    found = [n for n in nodes if n.name == "BOOTSTRAP" or n.name.startswith("BOOTSTRAP_")]
    if not found:
        return None
    node = found[0]
    sub = [n for n in nodes if node.body_start <= n.line <= node.body_end and n is not node]
    parts = [f"{n.name}: {n.value}".strip() for n in sub]
    if not parts:
        value = _block_field([node], doc, fences, (node.name,))
        return Field("BOOTSTRAP", value.value if value else "", node.line)
    return Field("BOOTSTRAP", "\n".join(parts), node.line)


def _skeleton_approved(doc: _Doc, fences: Sequence[_Fence]) -> int | None:
    for ln, raw in enumerate(doc.lines, 1):
        if "SKELETON APPROVED" in raw and raw.strip().lstrip("#").strip().strip("*").strip() == "SKELETON APPROVED":
            if not doc.in_fence(ln):
                return ln
    return None


def _scope(
    nodes: Sequence[FieldNode], doc: _Doc, fences: Sequence[_Fence], sections: Sequence[Section]
) -> Scope:
    what = _first_field(nodes, ("WHAT",))
    why = _first_field(nodes, ("WHY",))
    in_scope: list[ListItem] = []
    out_scope: list[ListItem] = []
    for names, target in (
        (("IN_SCOPE_PATHS", "IN_SCOPE", "IN_SCOPE_FILES"), in_scope),
        (("OUT_OF_SCOPE", "OUT_OF_SCOPE_PATHS"), out_scope),
    ):
        for node in _find_nodes(nodes, names):
            if node.value.strip():
                target.append(ListItem(_clean_value(node.value), node.line))
            target.extend(it for it in _body_items(node, doc, fences) if it.depth == 0)
            if target:
                break
    # "### What" / "### Why" headings in some packets.
    for sec in sections:
        name = _canonical_name(sec.title)
        if name in ("WHAT", "WHY") and (what if name == "WHAT" else why) is None:
            body = next(
                (doc.line(ln).strip() for ln in range(sec.line + 1, sec.end_line + 1) if doc.line(ln).strip()),
                "",
            )
            f = Field(name, _BULLET_RE.sub("", body).strip(), sec.line)
            if name == "WHAT":
                what = f
            else:
                why = f
    scope_sec = next((s for s in sections if _canonical_name(s.title) == "SCOPE"), None)
    return Scope(
        what=what,
        why=why,
        in_scope_paths=tuple(in_scope),
        out_of_scope=tuple(out_scope),
        line=scope_sec.line if scope_sec else None,
    )


# --------------------------------------------------------------------------
# Spec references and anchors
# --------------------------------------------------------------------------


_SPEC_REF_FIELDS = {
    "SPEC_CURRENT": "pinned",
    "MASTER_SPEC": "master-spec",
    "SPEC": "master-spec",
    "SPEC_BASELINE": "baseline",
    "SPEC_TARGET": "target",
    "SPEC_ANCHOR": "anchor",
    "SPEC_ANCHORS": "anchor",
    "AUTHORITY": "master-spec",
}


def _spec_refs(
    nodes: Sequence[FieldNode], doc: _Doc, in_history, spec_names: Sequence[str] = ()
) -> tuple[SpecRef, ...]:
    refs: list[SpecRef] = []
    seen_lines: set[int] = set()
    for n in nodes:
        kind = _SPEC_REF_FIELDS.get(n.name)
        if kind is None or n.kind == "heading" and not n.value:
            continue
        text = normalize_for_matching(n.value)
        ref = _configured_spec_ref(kind, text, n.line, spec_names) if spec_names else None
        ref = ref or _spec_ref_from_text(kind, text, n.line)
        if ref is not None:
            refs.append(ref)
            seen_lines.add(n.line)
    # Spec files named in prose by the team's own file names.
    for ln, raw in enumerate(doc.match_lines, 1) if spec_names else ():
        if ln in seen_lines or len(raw) > _MAX_PARSED_LINE or in_history(ln):
            continue
        for pattern in spec_names:
            for m in spec_reference_regex(pattern).finditer(raw):
                refs.append(SpecRef("inline", m.group("version"), raw.strip()[:300], ln, file=m.group(0)))
    # Inline statements in prose: "per Master Spec v02.90 §2.3.12".
    # Both patterns need the letters "spec" (case-insensitive; casefold
    # also maps the long s that re.I accepts): most lines lack them.
    for ln in doc.lines_holding("spec"):
        raw = doc.match_lines[ln - 1]
        if ln in seen_lines or len(raw) > _MAX_PARSED_LINE or in_history(ln):
            continue
        for m in _MASTER_SPEC_VERSION_RE.finditer(raw):
            refs.append(SpecRef("inline", m.group("version"), raw.strip()[:300], ln))
        for m in _SPEC_FILE_ANY_RE.finditer(raw):
            refs.append(SpecRef("inline", m.group("version"), raw.strip()[:300], ln, file=m.group(0)))
    return tuple(_dedupe_refs(refs))


# A version written alone in a spec field of a configured dialect:
# ``spec: v1.3``, ``spec_version: 1.3``.
_FIELD_VERSION_RE = re.compile(r"(?<![\w.])v?(\d{1,4}(?:\.\d{1,4})+)(?![\w]|\.\d)", re.I)


def _configured_spec_ref(kind: str, text: str, line: int, spec_names: Sequence[str]) -> SpecRef | None:
    """A spec reference in a field, by the profile's spec file names, or a
    bare version in a field that can only mean one (a profile that names
    its spec files has no other versions to confuse with)."""
    # The team's own spec field is no "Master Spec" field: named as it is.
    kind = "spec-field" if kind == "master-spec" else kind
    for pattern in spec_names:
        m = spec_reference_regex(pattern).search(text)
        if m:
            return SpecRef(kind, m.group("version"), text.strip()[:300], line, file=m.group(0))
    if kind in ("spec-field", "baseline", "target", "pinned"):
        m = _FIELD_VERSION_RE.search(text)
        if m:
            return SpecRef(kind, m.group(1), text.strip()[:300], line)
    return None


def _dedupe_refs(refs: list[SpecRef]) -> list[SpecRef]:
    out: list[SpecRef] = []
    seen: set[tuple] = set()
    for r in refs:
        key = (r.kind, r.version, r.line)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


_SPEC_CURRENT_WITH_PATH_RE = re.compile(r"[\w./-]*SPEC_CURRENT(?:\.md)?", re.I)
_PATH_CHARS_RE = re.compile(r"[\w./-]+")


def _spec_current_path(text: str) -> re.Match | None:
    r"""``_SPEC_CURRENT_WITH_PATH_RE.search(text)``, without its quadratic
    cost: searched from the start, the leading ``[\w./-]*`` runs to the end
    of every path-character run again from each of its characters. All
    letters of SPEC_CURRENT are path characters, so the leftmost match
    starts where the run holding the first SPEC_CURRENT starts: the
    pattern is tried there only."""
    first = _SPEC_CURRENT_PATH_RE.search(text)
    if first is None:
        return None
    for run in _PATH_CHARS_RE.finditer(text):
        if run.end() > first.start():
            return _SPEC_CURRENT_WITH_PATH_RE.match(text, run.start())
    return None  # pragma: no cover - the run holding SPEC_CURRENT is found


def _spec_ref_from_text(kind: str, text: str, line: int) -> SpecRef | None:
    file_m = _SPEC_FILE_ANY_RE.search(text)
    if file_m:
        version = file_m.group("version")
        return SpecRef(kind, version, text.strip()[:300], line, file=file_m.group(0))
    ver_m = _MASTER_SPEC_VERSION_RE.search(text)
    if kind == "pinned" and _SPEC_CURRENT_PATH_RE.search(text):
        # "docs/SPEC_CURRENT.md (Master Spec v02.91)" records the version the
        # pointer held when the packet was written; a bare pointer defers.
        path_m = _spec_current_path(text)
        if ver_m:
            return SpecRef("spec-current-note", ver_m.group("version"), text.strip()[:300], line, file=path_m.group(0) if path_m else None)
        return SpecRef("target", None, text.strip()[:300], line, file=path_m.group(0) if path_m else None)
    if ver_m:
        return SpecRef(kind, ver_m.group("version"), text.strip()[:300], line)
    if kind == "target" and _SPEC_CURRENT_PATH_RE.search(text):
        path_m = _spec_current_path(text)
        return SpecRef("target", None, text.strip()[:300], line, file=path_m.group(0) if path_m else None)
    # Spec versions are vMM.NN with a two-digit major; "MEX v1.2" is not one.
    bare = re.search(r"(?<![\w.])v(\d{2}\.\d{2,4})\b", text)
    if bare and kind in ("master-spec", "baseline", "anchor", "pinned"):
        return SpecRef(kind, bare.group(1), text.strip()[:300], line)
    return None


def _anchor_matches(text: str, line: int, source: str, regex: re.Pattern) -> list[SectionAnchor]:
    # Spec file names carry version numbers that look like section ids.
    cleaned = SPEC_FILE_RE.sub(" ", text)
    cleaned = _SPEC_FILE_ANY_RE.sub(" ", cleaned)
    cleaned = re.sub(r"(?i)\bv\d+(?:\.\d+)+", " ", cleaned)
    out: list[SectionAnchor] = []
    for m in regex.finditer(cleaned):
        tail = cleaned[m.end(): m.end() + 80]
        hint_m = re.match(r"\s*\(([^)]{1,80})\)|\s+([A-Za-z][^,;()\u00a7]{0,60})", tail)
        hint = None
        if hint_m:
            hint = (hint_m.group(1) or hint_m.group(2) or "").strip() or None
        out.append(SectionAnchor(m.group("start"), line, m.group("end"), hint, source))
    return out


def _anchors(nodes: Sequence[FieldNode], doc: _Doc, in_history) -> tuple[SectionAnchor, ...]:
    anchors: list[SectionAnchor] = []
    anchor_nodes = _find_nodes(nodes, ("SPEC_ANCHOR", "SPEC_ANCHORS"))
    for n in anchor_nodes:
        anchors.extend(_anchor_matches(doc.mline(n.line).split(":", 1)[-1], n.line, "SPEC_ANCHOR", _ANCHOR_RE))
        for ln in range(n.body_start, n.body_end + 1):
            if not in_history(ln):
                anchors.extend(_anchor_matches(doc.mline(ln), ln, "SPEC_ANCHOR", _ANCHOR_RE))
    if not anchors:
        # Older packets name sections beside the spec pointer
        # ("Master Spec: ..._v02.90.md (§2.3.12 ..., §11.7.4 ...)") or inline.
        for n in _find_nodes(nodes, ("MASTER_SPEC", "SPEC", "SPEC_CURRENT", "SPEC_BASELINE")):
            anchors.extend(_anchor_matches(doc.mline(n.line), n.line, n.name, _PROSE_ANCHOR_RE))
        for n in _find_nodes(nodes, ("WHAT", "WHY")):
            anchors.extend(_anchor_matches(doc.mline(n.line), n.line, "SCOPE", _PROSE_ANCHOR_RE))
    seen: set[tuple] = set()
    unique: list[SectionAnchor] = []
    for a in anchors:
        key = (a.section, a.range_end)
        if key not in seen:
            seen.add(key)
            unique.append(a)
    return tuple(unique)


# --------------------------------------------------------------------------
# Waivers, evidence, reports
# --------------------------------------------------------------------------


_RULE_ID_RE = re.compile(r"\b[a-z][a-z0-9]+(?:-[a-z0-9]+)+\b")


def _is_template_note(text: str) -> bool:
    """A template's instruction left in a section, not an entry: a bullet
    written wholly in parentheses, ``(Record explicit user waivers here
    ...)`` or ``(Format: `- WAIVER_ID: CX-... | ...`.)``."""
    text = text.strip()
    return text.startswith("(") and (text.endswith(")") or text.endswith(").") or text.endswith(".)"))


def _bare_pipe_date(text: str) -> str | None:
    """A ``YYYY-MM-DD`` written as a pipe-separated part of its own."""
    for part in text.split(" | ")[1:]:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", part.strip()):
            return part.strip()
    return None


def _waivers(nodes: Sequence[FieldNode], doc: _Doc, sections: Sequence[Section]) -> tuple[Waiver, ...]:
    """Each top-level bullet of WAIVERS GRANTED is one waiver: either
    ``- Waiver ID: W-1`` or ``- WAIVER-X-001 [CX-573F]``, with its facts as
    nested ``Name: value`` bullets (Date, Scope, Justification, Approver /
    Owner / Granted By, Expiry / Expires, Rules)."""
    sec = next((s for s in sections if _canonical_name(s.title).startswith("WAIVERS")), None)
    if sec is None:
        return ()
    groups: list[tuple[int, str, list[tuple[str, str]], str]] = []
    base_indent: int | None = None
    in_fence = False
    in_note = False  # nested bullets of a template note are part of it
    for ln in range(sec.line + 1, sec.end_line + 1):
        raw = doc.line(ln)
        if _FENCE_RE.match(raw):
            in_fence = not in_fence
            continue
        m = _BULLET_RE.match(raw)
        if in_fence or not m:
            continue
        indent = len(raw) - len(raw.lstrip())
        text = raw[m.end():].strip()
        # One-line form: "Waiver ID: X | Date: ... | Scope: ... | Justification: ...".
        facts = [f for f in (_match_field(part) for part in text.split(" | ")) if f]
        if base_indent is None or indent <= base_indent:
            base_indent = indent if base_indent is None else base_indent
            in_note = _is_template_note(text)
            if not in_note:
                groups.append((ln, text.split(" | ")[0], facts, text))
        elif groups and not in_note:
            groups[-1][2].extend(facts)
    out: list[Waiver] = []
    for line, head, facts, whole in groups:
        if _is_placeholder_only(head) or head.upper().startswith("NONE"):
            continue
        d: dict[str, str] = {}
        for name, value in facts:
            d.setdefault(name, _clean_value(value))
        # "Waiver ID=W-1; Date=2026-02-16; Check Waived=...; Scope=...": facts
        # written as Name=value pairs separated by semicolons.
        for name, value in _EQUALS_FACT_RE.findall(whole):
            d.setdefault(_canonical_name(name), value.strip())
        head_id, rest = _waiver_head(head)
        # Facts written inline in the head: "... Approver: ilja. Expires: on WP closure."
        for name, value in _INLINE_WAIVER_FACT_RE.findall(rest):
            d.setdefault(_canonical_name(name), value.strip())
        waiver_id = d.get("WAIVER_ID") or d.get("ID") or d.get("WAIVER") or head_id
        # "CX-573F | 2026-03-07 | Scope: ..." gives the date as a bare pipe part.
        date = d.get("DATE") or _first_date(rest) or _first_date(waiver_id or "") or _bare_pipe_date(whole)
        justification = d.get("JUSTIFICATION") or d.get("REASON")
        if justification is None:
            prose = _INLINE_WAIVER_FACT_RE.sub("", rest).strip(" .:-")
            justification = prose if len(prose.split()) >= 3 else None
        rules_text = " ".join(filter(None, (d.get("RULES"), d.get("RULE"), d.get("WAIVES"), d.get("CHECK_WAIVED"))))
        out.append(
            Waiver(
                waiver_id=waiver_id,
                date=date,
                scope=d.get("SCOPE"),
                justification=justification,
                line=line,
                owner=d.get("OWNER") or d.get("APPROVER") or d.get("APPROVED_BY") or d.get("GRANTED_BY"),
                expires=d.get("EXPIRES") or d.get("EXPIRY") or d.get("EXPIRES_AT"),
                rules=tuple(dict.fromkeys(_RULE_ID_RE.findall(rules_text))),
                text=head,
            )
        )
    return tuple(out)


_EQUALS_FACT_RE = re.compile(r"(?:^|[;:]\s*)([A-Za-z][A-Za-z _]{1,30}?)\s*=\s*([^;]+)")
_INLINE_WAIVER_FACT_RE = re.compile(r"\b(Approver|Approved by|Owner|Expires|Expiry|Granted by)\s*:\s*([^.;|]+)[.;]?", re.I)
_ISO_DATE_RE = re.compile(r"\b(20\d{2})-?(\d{2})-?(\d{2})\b")


def _first_date(text: str) -> str | None:
    m = _ISO_DATE_RE.search(text)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


# An id: a letter, then id characters of which one at least is a digit or
# hyphen. Read as ``[A-Za-z][\w.-]*[\d-][\w.-]*``, which splits the id's
# characters between its two runs in every possible way before failing
# (quadratic); the look-ahead asks for the digit or hyphen once.
_WAIVER_ID_HEAD_RE = re.compile(r"^`?([A-Za-z](?=[\w.-]*[\d-])[\w.-]*)`?\s*(?::\s*|\s+|$)(.*)$")


def _waiver_head(head: str) -> tuple[str | None, str]:
    """A waiver bullet's id and the text after it: ``[ID] text``,
    ``**ID**: text``, ``ID: text`` or ``ID [CX-573F]`` (an id has letters
    and digits or hyphens, and no spaces unless it is bracketed)."""
    text = head.strip()
    m = re.match(r"^\[([^\]]+)\]\s*:?\s*(.*)$", text) or re.match(r"^\*\*([^*]+?)\*\*\s*:?\s*(.*)$", text)
    if m is None:
        m = _WAIVER_ID_HEAD_RE.match(text)
    if m is None:
        return None, text
    ident = m.group(1).strip().rstrip(":")
    if _match_field(text) and re.fullmatch(r"[A-Z][A-Z _]*", ident):  # "Waiver ID: X" is a field, not an id
        return None, text
    if not (re.search(r"[A-Za-z]", ident) and re.search(r"[\d-]", ident)):
        return None, text
    return ident, m.group(2).strip()


def _evidence_mappings(nodes: Sequence[FieldNode], doc: _Doc) -> tuple[EvidenceMapping, ...]:
    out: list[EvidenceMapping] = []
    pending: tuple[str, int] | None = None
    evidence: list[str] = []
    for n in nodes:
        if n.name == "REQUIREMENT":
            if pending:
                out.append(EvidenceMapping(pending[0], tuple(evidence), pending[1]))
            pending = (_clean_value(n.value).strip('"'), n.line)
            evidence = []
            # ``EVIDENCE:`` may continue the REQUIREMENT item without a
            # bullet of its own (a lazy continuation line).
            for ln in range(n.body_start, n.body_end + 1):
                body = doc.line(ln).strip()
                if body.upper().startswith("EVIDENCE:"):
                    evidence.extend(_evidence_paths(body))
        elif n.name == "EVIDENCE" and pending and n.kind == "item":
            evidence.extend(_evidence_paths(n.value))
            for ln in range(n.body_start, n.body_end + 1):
                evidence.extend(_evidence_paths(doc.line(ln)))
    if pending:
        out.append(EvidenceMapping(pending[0], tuple(evidence), pending[1]))
    return tuple(out)


_PATH_LINE_RE = re.compile(r"`?([\w./@+-]+\.[\w]+):(\d+)(?:-(\d+))?`?")


_PATH_CHAR_RUN_RE = re.compile(r"[\w./@+-]+")


def _evidence_paths(text: str) -> list[str]:
    r"""``[m.group(0).strip("`") for m in _PATH_LINE_RE.finditer(text)]`` in
    linear time. finditer tries the pattern at every character, and from
    each character of a run of path characters ``[\w./@+-]+`` reads to the
    run's end: quadratic on a long run. A match's path part is a whole run
    (it must be followed by ":" which is not a path character), or the part
    of one after the previous match, so the pattern is tried only there,
    and only on runs followed by ":". (A match may also take a backtick
    before the run; it is stripped, so the result is the same.)"""
    if ":" not in text:
        return []
    out: list[str] = []
    pos = 0  # where finditer would search from
    for run in _PATH_CHAR_RUN_RE.finditer(text):
        start, end = run.span()
        if end <= pos or not text.startswith(":", end):
            continue
        m = _PATH_LINE_RE.match(text, max(start, pos))
        if m:
            out.append(m.group(0).strip("`"))
            pos = m.end()
    return out


def _evidence(nodes: Sequence[FieldNode], doc: _Doc) -> tuple[EvidenceEntry, ...]:
    out: list[EvidenceEntry] = []
    current: dict[str, str] | None = None
    line = 0
    for n in nodes:
        if n.name == "COMMAND":
            if current is not None:
                out.append(_evidence_entry(current, line))
            current = {"COMMAND": _clean_value(n.value).strip("`")}
            line = n.line
        elif current is not None and n.name in ("EXIT_CODE", "LOG_PATH", "LOG_SHA256", "PROOF_LINES"):
            current[n.name] = _clean_value(n.value).strip("`")
    if current is not None:
        out.append(_evidence_entry(current, line))
    return tuple(out)


def _evidence_entry(d: dict[str, str], line: int) -> EvidenceEntry:
    return EvidenceEntry(
        command=d.get("COMMAND", ""),
        line=line,
        exit_code=d.get("EXIT_CODE"),
        log_path=d.get("LOG_PATH"),
        log_sha256=d.get("LOG_SHA256"),
        proof_lines=d.get("PROOF_LINES"),
    )


def _validation_reports(
    sections: Sequence[Section], doc: _Doc, fences: Sequence[_Fence]
) -> tuple[ValidationReportRecord, ...]:
    out: list[ValidationReportRecord] = []
    for sec in sections:
        if not _REPORT_HEADING_RE.search(sec.title) or _canonical_name(sec.title) in (
            "VALIDATION_REPORTS",
        ):
            continue
        if re.search(r"validation[ _]reports\b", sec.title, re.I) and not re.search(r"report\s*[-\u2014\u2013:]", sec.title):
            continue  # the container section, not a report
        verdict = verdict_line = None
        prior = None
        for ln in range(sec.line, sec.end_line + 1):
            if doc.in_fence(ln):
                continue
            raw = doc.line(ln)
            if verdict is None:
                m = _VERDICT_RE.match(_BULLET_RE.sub("", raw, count=1))
                if m:
                    verdict, verdict_line = m.group(1).upper(), ln
            pm = _PRIOR_SHA_RE.search(raw)
            if pm and prior is None:
                prior = pm.group(1)
        date_m = _DATE_RE.search(sec.title)
        out.append(
            ValidationReportRecord(
                heading=sec.title,
                line=sec.line,
                end_line=sec.end_line,
                verdict=verdict,
                verdict_line=verdict_line,
                date=date_m.group(1) if date_m else None,
                by_govcheck=bool(_GOVCHECK_REPORT_RE.search(sec.title)) or prior is not None,
                prior_sha256=prior,
            )
        )
    return tuple(out)
