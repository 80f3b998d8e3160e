"""Section-level comparison of two spec versions.

Sections compare by their normalised text (trailing whitespace and line
endings ignored), heading included, subsections included: a section is
``changed`` when anything under it changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence

from govcheck.model import SectionAnchor
from govcheck.parse.spec import SectionFinder, SpecIndex, index_spec, normalize_section_id, section_finder

CHANGED, UNCHANGED, ADDED, REMOVED = "changed", "unchanged", "added", "removed"
DIFF_LINE_CAP = 60


@dataclass(frozen=True)
class SectionStatus:
    id: str
    status: str
    title: str  # the newer title when both exist


@dataclass(frozen=True)
class AnchoredChanges:
    """What moved under a packet's anchors between two versions."""

    old_source: str | None  # where the old text came from; None: unavailable
    changed: tuple[str, ...] | None  # None when the old text is unavailable
    diffs: dict[str, str]  # section id -> capped unified diff


def normalized(text: bytes) -> list[str]:
    return [ln.rstrip() for ln in text.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")]


def _section_lines(data: bytes, index: SpecIndex | SectionFinder, section_id: str) -> list[str] | None:
    raw = index.text(data, section_id)
    if raw is None:
        return None
    lines = normalized(raw)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def compare(old: bytes, new: bytes) -> list[SectionStatus]:
    """Every numbered section of either version with its status: the new
    version's order, then sections only the old one has."""
    oi, ni = index_spec(old), index_spec(new)
    out: list[SectionStatus] = []
    for s in ni.sections:
        if oi.lookup(s.id) is None:
            out.append(SectionStatus(s.id, ADDED, s.title))
        else:
            same = _section_lines(old, oi, s.id) == _section_lines(new, ni, s.id)
            out.append(SectionStatus(s.id, UNCHANGED if same else CHANGED, s.title))
    for s in oi.sections:
        if ni.lookup(s.id) is None:
            out.append(SectionStatus(s.id, REMOVED, s.title))
    return out


def section_diff(old: bytes, new: bytes, section_id: str, old_label: str, new_label: str,
                 cap: int | None = DIFF_LINE_CAP) -> str:
    """Unified diff of one section (empty string when unchanged)."""
    a = _section_lines(old, index_spec(old), section_id) or []
    b = _section_lines(new, index_spec(new), section_id) or []
    return _unified(a, b, section_id, old_label, new_label, cap)


def _unified(a: list[str], b: list[str], section_id: str, old_label: str, new_label: str, cap: int | None) -> str:
    lines = list(difflib.unified_diff(a, b, f"{old_label} §{section_id}", f"{new_label} §{section_id}", lineterm="", n=2))
    if cap is not None and len(lines) > cap:
        dropped = len(lines) - cap
        lines = lines[:cap] + [f"... ({dropped} more diff lines; govcheck spec diff --section {section_id})"]
    return "\n".join(lines)


def anchored_ids(anchors: Iterable[SectionAnchor], index: SpecIndex,
                 fallback: SpecIndex | SectionFinder | None = None) -> list[str]:
    """The section ids a packet's anchors name, ranges expanded (in the
    newer spec, else the older), in the order stated, without repeats."""
    out: list[str] = []
    for a in anchors:
        start = normalize_section_id(a.section)
        if a.range_end:
            end = normalize_section_id(a.range_end)
            ids = index.expand_range(start, end) or (fallback.expand_range(start, end) if fallback else [])
            out.extend(ids or [start, end])
        else:
            out.append(start)
    return list(dict.fromkeys(out))


def changed_anchored_sections(store, old_version: str, new_version: str,
                              anchors: Sequence[SectionAnchor]) -> AnchoredChanges:
    new_text = store.get(new_version)
    old_text = store.get(old_version)
    if new_text is None or old_text is None:
        return AnchoredChanges(None, None, {})
    # The old text is asked for the anchored sections only: found one by
    # one (an old version's full index cost more than all its questions).
    oi, ni = section_finder(old_text.data), index_spec(new_text.data)
    changed: list[str] = []
    diffs: dict[str, str] = {}
    compared = _compared(oi, ni)
    for sid in anchored_ids(anchors, ni, oi):
        if sid not in compared:
            # Many packets anchor the same sections: compare each once.
            a, b = _section_lines(old_text.data, oi, sid), _section_lines(new_text.data, ni, sid)
            if a is None and b is None:
                result = None  # named in neither version: spec-anchor-missing says so
            elif a == b:
                result = ""
            else:  # section_diff's, from the lines at hand
                result = _unified(a or [], b or [], sid, f"v{old_version}", f"v{new_version}", DIFF_LINE_CAP)
            compared[sid] = result
        result = compared[sid]
        if result:
            changed.append(sid)
            diffs[sid] = result
    return AnchoredChanges(old_text.source, tuple(changed), diffs)


def _compared(oi: SpecIndex | SectionFinder, ni: SpecIndex) -> dict[str, str | None]:
    """Section id -> diff text ("" unchanged, None absent from both) for
    this pair of texts: kept on the old text's SectionFinder (which lives
    as long as the run keeps that text, and need not hash it), else by the
    digests of both."""
    if isinstance(oi, SectionFinder):
        return oi.memo.setdefault(("changes", ni.sha256), {})
    key = (oi.sha256, ni.sha256)
    if key not in _SECTION_CHANGES and len(_SECTION_CHANGES) > 256:
        _SECTION_CHANGES.clear()  # bounded: keyed by content, so clearing only costs time
    return _SECTION_CHANGES.setdefault(key, {})


# (old spec sha256, new spec sha256) -> section -> diff text. Keyed by
# content, so it is never stale.
_SECTION_CHANGES: dict[tuple[str, str], dict[str, str | None]] = {}
