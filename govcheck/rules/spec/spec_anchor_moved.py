"""Spec anchoring rules: is the packet anchored to the current spec, and do
its anchored sections exist there?"""

from __future__ import annotations

import bisect
import re
from typing import Iterator

from govcheck.analysis.anchoring import anchored_version, basis_label
from govcheck.engine.context import Context
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, WARNING, hit, rule
from govcheck.analysis.text import split_lines


def _v(version: str) -> str:
    return f"v{version}"


@rule(
    "spec-stale",
    severity=ERROR,
    codex="CX-573B",
    summary="Packet is anchored to an older spec version than SPEC_CURRENT names",
    options={
        "unchanged_severity": {
            "enum": ["error", "warning", "info", "off"],
            "description": "Severity when none of the packet's anchored sections changed between its version and the current one.",
        }
    },
)
def spec_stale(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The spec version the packet is anchored to (SPEC_ANCHOR's spec file,
    SPEC_BASELINE, a pinned SPEC_CURRENT, a ``Master Spec:`` field, a note
    such as ``docs/SPEC_CURRENT.md (Master Spec v02.91)``, or prose such as
    ``per Master Spec v02.90 §2.3.12``) is compared numerically with the
    version SPEC_CURRENT names (so v02.100 is newer than v02.99).

    Why
    Requirements and evidence were written against the older text. Until
    they are re-checked against the current spec, a Done claim rests on
    requirements that may have moved (the reference project's spec
    regression gate, CX-573B).

    How to fix
    Re-read the anchored sections in the current spec, update DONE_MEANS
    and EVIDENCE_MAPPING, then move the packet's version pointers
    (``govcheck reanchor WP-ID`` does it when no anchored section changed).

    Example
        - **Master Spec**: Handshake_Master_Spec_v02.90.md (§2.3.12)
    with SPEC_CURRENT naming Handshake_Master_Spec_v02.93.md gives
    ``spec-stale: anchored to v02.90, SPEC_CURRENT is v02.93``.

    Data: ``packet_version``, ``current_version``, ``basis`` (which
    statement), ``changed_sections`` (anchored sections whose text changed;
    ``[]`` none, ``null`` when the old text is unavailable).
    """
    anchoring = anchored_version(packet)
    if anchoring is None:
        return
    current = ctx.spec_current.version
    if compare_versions(anchoring.version, current) >= 0:
        return
    data = {
        "packet_version": anchoring.version,
        "current_version": current,
        "basis": anchoring.ref.kind,
        "changed_sections": None,
    }
    severity = None
    changes = _changed_sections(packet, ctx, anchoring.version)
    if changes is not None:
        data["old_spec_source"] = changes.old_source
        data["changed_sections"] = list(changes.changed) if changes.changed is not None else None
        data["section_diffs"] = dict(changes.diffs)
        unchanged_sev = ctx.options("spec-stale").get("unchanged_severity")
        if changes.changed == () and unchanged_sev:
            from govcheck.model import Severity

            severity = Severity(unchanged_sev)
    msg = (
        f"packet is anchored to {_v(anchoring.version)} ({basis_label(anchoring.ref.kind)}, line {anchoring.ref.line}); "
        f"SPEC_CURRENT names {_v(current)}"
    )
    if changes is not None:
        if changes.changed is None:
            msg += f"; the text of {_v(anchoring.version)} is not in the repo or its git history, so which anchored sections changed is unknown"
        elif changes.changed:
            msg += f"; anchored sections changed since: {', '.join(changes.changed)}"
        else:
            msg += "; no anchored section changed since (govcheck reanchor can move the pointers)"
    yield hit(msg, line=anchoring.ref.line, data=data, severity=severity)


def _changed_sections(packet: Packet, ctx: Context, old_version: str):
    """What changed under the packet's anchors, or None when the packet
    anchors no section (then only the version can be compared)."""
    if not packet.anchors:
        return None
    from govcheck.analysis.spec_diff import changed_anchored_sections

    return changed_anchored_sections(ctx.spec_store, old_version, ctx.spec_current.version, packet.anchors)


@rule(
    "spec-ahead",
    severity=ERROR,
    codex="CX-573B",
    summary="Packet cites a spec version newer than SPEC_CURRENT names",
)
def spec_ahead(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet's anchored version is newer than the version SPEC_CURRENT
    names.

    Why
    Either SPEC_CURRENT was not moved when the spec was bumped, or the
    packet was written on a branch against a spec that main does not have.
    Its anchors cannot be checked against the authoritative text.

    How to fix
    Merge the spec bump (and move SPEC_CURRENT), or re-anchor the packet
    to the current version.

    Example
    SPEC_BASELINE v02.125 while SPEC_CURRENT names v02.123.
    """
    anchoring = anchored_version(packet)
    if anchoring is None:
        return
    current = ctx.spec_current.version
    if compare_versions(anchoring.version, current) > 0:
        yield hit(
            f"packet is anchored to {_v(anchoring.version)}, newer than SPEC_CURRENT's {_v(current)}",
            line=anchoring.ref.line,
            data={"packet_version": anchoring.version, "current_version": current},
        )


@rule(
    "spec-ref-conflict",
    severity=WARNING,
    summary="Packet names different spec versions in its authoritative fields",
)
def spec_ref_conflict(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet's deliberate spec statements (SPEC_ANCHOR's file,
    SPEC_BASELINE, a pinned SPEC_CURRENT, ``Master Spec:``) name more than
    one version. Prose mentions and earlier validation reports do not count.

    Why
    A reader cannot tell which text the requirements were written against;
    govcheck takes the most deliberate statement (see ``spec-stale``) and
    says so here.

    How to fix
    Make every authority field name the same spec file.

    Example
        - SPEC_BASELINE: Handshake_Master_Spec_v02.113.md
        - SPEC_ANCHOR: Handshake_Master_Spec_v02.117.md 2.3.14
    """
    anchoring = anchored_version(packet)
    if anchoring is None or not anchoring.conflicts:
        return
    others = sorted({r.version or "" for r in anchoring.conflicts})
    first = anchoring.conflicts[0]
    yield hit(
        f"packet names {', '.join(_v(v) for v in others)} besides {_v(anchoring.version)} "
        f"(line {anchoring.ref.line}); govcheck uses {_v(anchoring.version)}",
        line=first.line,
        data={"chosen": anchoring.version, "others": others},
    )


@rule(
    "spec-unanchored",
    severity=ERROR,
    codex="CX-573B",
    summary="Packet states no spec version at all",
)
def spec_unanchored(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Nowhere does the packet name a spec version: no SPEC_BASELINE, no
    SPEC_ANCHOR or pinned SPEC_CURRENT with a spec file, no ``Master Spec``
    field, no ``Master Spec vNN.NN`` in prose. A bare
    ``SPEC_TARGET: .GOV/roles_shared/SPEC_CURRENT.md`` names a pointer, not
    a version.

    Why
    Without the version the requirements were written against, nobody can
    tell whether the packet is stale when the spec moves.

    How to fix
    Record ``SPEC_BASELINE: <spec file> (recorded_at: <date>)`` and a
    ``SPEC_ANCHOR`` with the section numbers the packet implements.

    Example
        - SPEC_BASELINE: Handshake_Master_Spec_v02.123.md (recorded_at: 2026-02-01)
    """
    if anchored_version(packet) is None:
        target = next((r for r in packet.spec_refs if r.kind == "target"), None)
        msg = "packet names no spec version"
        if target is not None:
            msg += f" (only the pointer {target.file or 'SPEC_CURRENT'}, line {target.line})"
        yield hit(msg, line=target.line if target else packet.title_line)


@rule(
    "spec-anchor-missing",
    severity=ERROR,
    codex="CX-573B",
    summary="An anchored section number does not exist in the current spec",
)
def spec_anchor_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every section the packet is anchored to (SPEC_ANCHOR lists and ranges
    such as ``2.3.10.6-2.3.10.8``; for older packets the ``§`` numbers beside
    the spec pointer) must exist in the spec SPEC_CURRENT names, as a
    numbered heading or a numbered list item under one.

    Why
    A section that is gone was renumbered, merged or dropped: the packet's
    requirements no longer point at normative text.

    How to fix
    Find where the requirement lives now (``govcheck spec diff OLD NEW``) and
    update SPEC_ANCHOR.

    Example
        - SPEC_ANCHOR: Handshake_Master_Spec_v02.123.md 7.6.3.99
    when v02.123 has no section 7.6.3.99.
    """
    index, data = ctx.current_spec_index, ctx.current_spec_bytes
    for anchor in packet.anchors:
        ids = [anchor.section] + ([anchor.range_end] if anchor.range_end else [])
        missing = [i for i in ids if index.lookup(i) is None and _list_item(index, data, i) is None]
        if missing:
            what = f"{anchor.section}-{anchor.range_end}" if anchor.range_end else anchor.section
            moved = _tag_locations(anchor_context(packet, anchor, ctx), index)
            where = f"; its tag now heads {', '.join(moved)}" if moved else ""
            yield hit(
                f"anchored section {', '.join(missing)} (from {what}) does not exist in {ctx.spec_current.spec_file} (v{ctx.spec_current.version}){where}",
                line=anchor.line,
                data={"sections": missing, "anchor": what, "spec_version": ctx.spec_current.version,
                      "tag_now_at": moved},
            )


def _list_item(index, data: bytes, sid: str) -> tuple[int, str] | None:
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


_TAG_RE = re.compile(r"\[?\b((?:CX|HSK|FR)-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b\]?")
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


def _title_hint(context: str) -> str:
    """The title-like part of what follows an anchor number: up to the
    first ``;``, ``,``, ``(`` or ``:``; empty when it reads as a sentence
    continuing ("plus Roadmap pointer ...") rather than a title."""
    text = re.sub(r"^[\s\-\u2013\u2014:.*`\]\[)]+", "", context)
    text = re.split(r"[;,(:]| - ", text, maxsplit=1)[0].strip(" *`")
    first = text.split(" ", 1)[0].lower() if text else ""
    return "" if not text or first in _LEADING_JOINERS else text


def _section_words(index, data: bytes, sid: str, title: str, is_heading: bool) -> tuple[str, set[str]]:
    """A section's text (lower-cased) and the word stems of its opening,
    computed once per spec and section."""
    key = (index.sha256, sid)
    if key not in _SECTION_WORDS:
        if len(_SECTION_WORDS) > 50_000:
            _SECTION_WORDS.clear()  # bounded: keyed by content, so clearing only costs time
        text = (index.text(data, sid) or b"").decode("utf-8", "replace") if is_heading else title
        _SECTION_WORDS[key] = (text.lower(), _stems(text[:3000]))
    return _SECTION_WORDS[key]


_SECTION_WORDS: dict[tuple[str, str], tuple[str, set[str]]] = {}


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD_RE.findall(text) if w.lower() not in _STOP}


def _tag_locations(context: str, index) -> list[str]:
    tags = tuple(_TAG_RE.findall(context))
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


@rule(
    "spec-anchor-moved",
    severity=WARNING,
    codex="CX-573B",
    summary="An anchored number now holds different content (renumbered spec)",
)
def spec_anchor_moved(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Section numbers get reused between spec versions (``2.3.12`` was storage
    portability, later Taste Engine). When the packet says what it means
    next to the number (a codex tag such as ``[CX-DBP-040]``, or a title
    such as ``§2.3.12 storage portability``), the section of that number in
    the current spec must still carry the tag, or share a word with the
    title. When the tag now heads another section, the finding names it.

    Why
    An anchor whose number still exists passes a naive existence check
    while pointing at unrelated text: the most misleading kind of stale.

    How to fix
    Re-anchor to the section that holds the requirement now (the finding
    names it when the tag moved), after reading what changed.

    Example
    ``SPEC_ANCHOR: §2.3.12.3 [CX-DBP-040]`` while v02.123's 2.3.12 is
    "Taste Engine & Personalisation" and the portability rules moved to
    2.3.13.
    """
    index, data = ctx.current_spec_index, ctx.current_spec_bytes
    for anchor in packet.anchors:
        if anchor.range_end:
            continue
        section = index.lookup(anchor.section)
        item = None if section is not None else _list_item(index, data, anchor.section)
        if section is None and item is None:
            continue  # spec-anchor-missing reports it
        here = section.title if section is not None else item[1]
        context = anchor_context(packet, anchor, ctx)
        tags = _TAG_RE.findall(context)
        if tags:
            heading_text = (index.text(data, anchor.section) or b"")[:400].decode("utf-8", "replace") if section else here
            if not any(t in heading_text for t in tags):
                moved = _tag_locations(context, index)
                where = f"; {', '.join(tags)} now heads {', '.join(moved)}" if moved else ""
                yield hit(
                    f"anchored {anchor.section} is now '{here[:60]}' and no longer carries {', '.join(tags)}{where}",
                    line=anchor.line,
                    data={"section": anchor.section, "title": here, "tags": tags, "tag_now_at": moved},
                )
            continue
        hint = _title_hint(context)
        words = _stems(hint)
        if len(words) < 2:
            continue
        # The title, or the section's opening text, must share a word stem
        # with what the packet calls it.
        body, body_stems = _section_words(index, data, anchor.section, here, section is not None)
        if hint.lower() in body or words & body_stems:
            continue
        twin = next((d for d in index.duplicates if d.id == anchor.section and words & _stems(d.title)), None)
        if twin is not None:
            yield hit(
                f"anchored {anchor.section} occurs more than once in the spec; the first is '{here[:50]}', "
                f"the packet means '{twin.title[:50]}' (line {twin.line}): the anchor is ambiguous",
                line=anchor.line,
                data={"section": anchor.section, "title": here, "packet_says": hint, "duplicate_line": twin.line},
            )
            continue
        yield hit(
            f"anchored {anchor.section} is now titled '{here[:60]}' while the packet describes it as "
            f"'{hint[:60]}': the number may have been reused",
            line=anchor.line,
            data={"section": anchor.section, "title": here, "packet_says": hint},
        )


@rule(
    "spec-current-not-latest",
    severity=ERROR,
    scope="repo",
    summary="The repo holds a newer spec file than the one SPEC_CURRENT names",
)
def spec_current_not_latest(ctx: Context) -> Iterator[Finding]:
    """What it checks
    The highest-versioned master spec file (or indexed spec bundle) in the
    repo's spec folders must be the one SPEC_CURRENT names (the reference
    project's spec-current-check).

    Why
    A newer spec committed without moving SPEC_CURRENT means every packet
    is being validated against superseded text.

    How to fix
    Point SPEC_CURRENT at the newest spec, or move the newer file out of the
    spec folders if it is a draft.

    Example
    ``Handshake_Master_Spec_v02.124.md`` at the root while SPEC_CURRENT
    names ``Handshake_Master_Spec_v02.123.md``.
    """
    latest = ctx.repo.latest_spec_version()
    sc = ctx.spec_current
    if latest is not None and compare_versions(latest.version, sc.version) > 0:
        yield hit(
            f"{latest.path} (v{latest.version}) is newer than the spec SPEC_CURRENT names (v{sc.version})",
            path=sc.path,
            line=sc.line,
            data={"latest": latest.path, "latest_version": latest.version, "current_version": sc.version},
        )


@rule(
    "spec-current-mismatch",
    severity=ERROR,
    scope="repo",
    summary="A compatibility copy of SPEC_CURRENT disagrees with the authoritative one",
)
def spec_current_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it checks
    When the repo keeps more than one SPEC_CURRENT (for example the
    authoritative ``.GOV/roles_shared/SPEC_CURRENT.md`` and a compatibility
    copy in ``docs/``), they must name the same spec version.

    Why
    Tools and people reading the old location validate against another
    spec than the gate does.

    How to fix
    Update the copy, or delete it once nothing reads it.

    Example
    ``.GOV/spec/SPEC_CURRENT.md`` names v02.180, ``docs/SPEC_CURRENT.md``
    still names v02.150.
    """
    sc = ctx.spec_current
    for other in ctx.repo.compat_spec_currents():
        if isinstance(other, str):
            yield hit(f"compatibility copy of SPEC_CURRENT is unreadable: {other}", path=sc.path, line=sc.line)
        elif compare_versions(other.version, sc.version) != 0:
            yield hit(
                f"{other.path} names v{other.version} but {sc.path} names v{sc.version}",
                path=other.path,
                line=other.line,
                data={"copy": other.path, "copy_version": other.version, "current_version": sc.version},
            )
