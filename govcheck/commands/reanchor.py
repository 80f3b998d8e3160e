"""Move a packet's spec pointers to the current version, but only when
nothing it is anchored to changed in between.

The rewrite touches only the lines that state the old version (the spec
references the parser found, none inside earlier reports), keeps the BOM
and line endings, appends a note saying what was checked, and is written
atomically. Every other byte stays as it was.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from govcheck.analysis.anchoring import anchored_version
from govcheck.analysis.spec_diff import AnchoredChanges, anchored_ids, changed_anchored_sections
from govcheck.model import Packet
from govcheck.parse.spec import index_spec
from govcheck.parse.versions import compare_versions


@dataclass(frozen=True)
class ReanchorPlan:
    packet_id: str
    old_version: str | None
    new_version: str
    ok: bool  # True: the rewrite below may be written
    reason: str  # one line: why it is safe, or why it is refused
    changes: AnchoredChanges | None
    new_bytes: bytes | None
    lines_changed: tuple[int, ...] = ()
    current: bool = False  # already anchored to the current version: nothing to do


def _newline_of(data: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in data else b"\n"


def plan_reanchor(packet: Packet, data: bytes, store, current_version: str, today: str) -> ReanchorPlan:
    anchoring = anchored_version(packet)
    if anchoring is None:
        return ReanchorPlan(packet.id, None, current_version, False, "the packet states no spec version", None, None)
    old = anchoring.version
    if compare_versions(old, current_version) >= 0:
        return ReanchorPlan(packet.id, old, current_version, False,
                            f"already anchored to v{old} (SPEC_CURRENT names v{current_version}); nothing to move",
                            None, None, current=True)
    if not packet.anchors:
        return ReanchorPlan(packet.id, old, current_version, False,
                            "the packet anchors no spec section, so there is nothing to prove unchanged", None, None)
    changes = changed_anchored_sections(store, old, current_version, packet.anchors)
    if changes.changed is None:
        return ReanchorPlan(packet.id, old, current_version, False,
                            f"the text of v{old} is not in the repo or its git history", changes, None)
    if changes.changed:
        return ReanchorPlan(packet.id, old, current_version, False,
                            f"anchored sections changed between v{old} and v{current_version}: {', '.join(changes.changed)}",
                            changes, None)
    ref_lines = sorted({r.line for r in packet.spec_refs if r.version == old and r.line})
    new_bytes, touched = _rewrite(data, ref_lines, old, current_version)
    new_spec = store.get(current_version)
    checked = anchored_ids(packet.anchors, index_spec(new_spec.data)) if new_spec else []
    nl = _newline_of(data)
    note = (
        f"## SPEC REANCHOR - {today} (govcheck)",
        f"- Moved spec pointers v{old} -> v{current_version} on line(s) {', '.join(map(str, touched))}.",
        f"- Checked unchanged (text compared, trailing whitespace ignored): {', '.join(checked)}.",
        f"- Old text: {changes.old_source}; new text: {new_spec.source if new_spec else '?'}.",
    )
    tail = b"" if new_bytes.endswith(nl) or not new_bytes else nl
    new_bytes = new_bytes + tail + nl + nl.join(line.encode("utf-8") for line in note) + nl
    return ReanchorPlan(packet.id, old, current_version, True,
                        f"no anchored section changed between v{old} and v{current_version}", changes, new_bytes, tuple(touched))


def _rewrite(data: bytes, lines: list[int], old: str, new: str) -> tuple[bytes, list[int]]:
    pattern = re.compile(rb"(?<![\d.])(v?)" + re.escape(old.encode()) + rb"(?![\d])")
    parts = data.split(b"\n")
    touched: list[int] = []
    for n in lines:
        if 1 <= n <= len(parts):
            replaced = pattern.sub(rb"\g<1>" + new.encode(), parts[n - 1])
            if replaced != parts[n - 1]:
                parts[n - 1] = replaced
                touched.append(n)
    return b"\n".join(parts), touched


def unified(old: bytes, new: bytes, path: str) -> str:
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
