"""The binary phase gate [CX-GATE-001]: BOOTSTRAP, then SKELETON, then the
``SKELETON APPROVED`` marker, and only then implementation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.era import Since
from govcheck.analysis.text import lines_containing, split_lines
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet, Section
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_BOOTSTRAP_RE = re.compile(r"^\W*bootstrap\b", re.I)
# "## SKELETON", "## SKELETON (interface-first)"; not "## Skeleton Approval"
# nor the generation 1 "## SKELETON APPROVED" marker heading.
_SKELETON_RE = re.compile(r"^\W*skeleton\b(?![\s_-]*approv)", re.I)
_IMPLEMENTATION_RE = re.compile(r"^\W*implementation\b", re.I)
# The marker: a line of its own that starts with SKELETON APPROVED, bare,
# bold or as a heading, optionally followed by a signature or date
# ("SKELETON APPROVED [ilja261220252345]", "SKELETON APPROVED: 2025-12-25").
_MARKER_RE = re.compile(r"^(?:#{1,6}\s+)?(?:\*\*|__)?\s*SKELETON APPROVED(?:\*\*|__)?(?=$|[\s:\[(\-\u2014])")
# Near misses worth naming in a message: the marker as a bullet.
_NEAR_MISS_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?\s*SKELETON APPROVED\b")
# IMPLEMENTATION sections the template ships with hold a note such as
# "- (Coder fills after skeleton approval.)": that is not implementation.
_EMPTY_BODY_RE = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:\(.*\)|<[^>]*>|\{\{[^}]*\}\}|tbd|todo|n/?a|none|pending|\.\.\.|-+|_+)?\.?\s*$", re.I
)

_CLAIMED = ("in progress",)
_DONE = ("done", "done (historical)", "validated")


@dataclass(frozen=True)
class _Marks:
    bootstrap: Section | None
    skeleton: Section | None
    approvals: tuple[int, ...]  # marker lines, in order
    near_misses: tuple[int, ...]
    implementation: tuple[Section, ...]  # IMPLEMENTATION headings with content
    reports: tuple[int, ...]  # validation report heading lines


def _packet_text(packet: Packet, ctx: Context) -> str | None:
    """The packet's text, or None when the file cannot be read."""
    try:
        return ctx.repo.read_text(packet.path)
    except GovcheckError:
        return None


# Which phase a heading title names.
def _is_bootstrap(title: str) -> bool:
    return _BOOTSTRAP_RE.match(title) is not None


def _is_skeleton(title: str) -> bool:
    return _SKELETON_RE.match(title) is not None


def _is_implementation(title: str) -> bool:
    return _IMPLEMENTATION_RE.match(title) is not None


def _marks(packet: Packet, ctx: Context) -> _Marks:
    history = [(r.line, r.end_line) for r in packet.validation_reports]

    def in_history(line: int) -> bool:
        return any(a <= line <= b for a, b in history)

    heads = [s for s in packet.sections if not in_history(s.line)] if history else packet.sections
    bootstrap = next((s for s in heads if _is_bootstrap(s.title)), None)
    skeleton = next((s for s in heads if _is_skeleton(s.title)), None)
    impl_heads = [s for s in heads if _is_implementation(s.title)]

    text = _packet_text(packet, ctx)
    approvals: list[int] = []
    near: list[int] = []
    implementation: list[Section] = []
    if text is None:
        if packet.skeleton_approved_line:
            approvals.append(packet.skeleton_approved_line)
        implementation = impl_heads
    else:
        lines = split_lines(text)
        fences = [(f.start, f.end) for f in packet.fences]

        def fenced(n: int) -> bool:
            return any(a <= n <= b for a, b in fences)

        # Only lines holding the marker text can be a marker or a near miss.
        for n in lines_containing(text, "SKELETON APPROVED"):
            if fenced(n):
                continue
            raw = lines[n - 1]
            if _MARKER_RE.match(raw.strip()):
                approvals.append(n)
            elif _NEAR_MISS_RE.match(raw):
                near.append(n)
        for sec in impl_heads:
            nxt = next((s.line for s in packet.sections if s.line > sec.line), len(lines) + 1)
            body = range(sec.line + 1, min(nxt, len(lines) + 1))
            if any(fenced(n) or not _EMPTY_BODY_RE.match(lines[n - 1]) for n in body):
                implementation.append(sec)
    return _Marks(
        bootstrap=bootstrap,
        skeleton=skeleton,
        approvals=tuple(approvals),
        near_misses=tuple(near),
        implementation=tuple(implementation),
        reports=tuple(r.line for r in packet.validation_reports),
    )


def _status(packet: Packet) -> str:
    return packet.status_norm


def _evidence(marks: _Marks, before: int | None) -> list[tuple[int, str]]:
    """Implementation evidence (line, what) before line ``before`` (all of
    it when ``before`` is None)."""
    out = [(s.line, f"IMPLEMENTATION heading '{s.title[:60]}'") for s in marks.implementation]
    out += [(n, "validation report heading") for n in marks.reports]
    return sorted(x for x in out if before is None or x[0] < before)


def _near_miss_note(marks: _Marks) -> str:
    if not marks.near_misses:
        return ""
    return (
        f" (line {marks.near_misses[0]} names SKELETON APPROVED inside a bullet; "
        "the gate needs it on a line of its own)"
    )


@rule(
    "phase-order",
    severity=ERROR,
    codex="CX-GATE-001",
    summary="BOOTSTRAP, SKELETON and SKELETON APPROVED are missing or out of order",
    since=Since(format_version="2026-02-01", why=(
        "19 packets validated in January 2026 have no SKELETON APPROVED line, and the validators passed "
        "them: the gate in its present form (a SKELETON heading, then a line reading exactly SKELETON "
        "APPROVED, before any implementation) came with the 2026-02-01 packet template.")),
    process=True,
)
def phase_order(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The binary phase gate, on headings and marker lines outside code
    fences (text inside earlier validation reports is history and ignored):

    * every packet whose Status is In Progress has a BOOTSTRAP heading;
    * packets of the phased format (those with a SKELETON heading or a
      PACKET_FORMAT_VERSION) have a BOOTSTRAP heading before the SKELETON
      heading, and the ``SKELETON APPROVED`` marker after the SKELETON
      heading;
    * implementation evidence (an IMPLEMENTATION heading with real content,
      or a validation report heading) does not come before the approval
      marker, and a phased packet that is Done or Validated has the marker.

    The marker is a line of its own starting with ``SKELETON APPROVED``:
    bare, bold, or as a heading, optionally followed by a signature or date
    (``SKELETON APPROVED [ilja261220252345]``), as the reference project's
    hardened gate-check reads it. A bullet (``- **SKELETON APPROVED**: ...``)
    or a mention in prose is not the marker.

    Generation 1 packets (no SKELETON heading, no PACKET_FORMAT_VERSION)
    predate the SKELETON phase: their template records approval as a
    ``## SKELETON APPROVED`` heading near the top, before BOOTSTRAP. For
    them the rule only reports what is out of order in their own format:
    In Progress without BOOTSTRAP, and implementation evidence that comes
    *before* an approval marker the packet does have. A generation 1 packet
    with no marker at all is not reported (its era had no SKELETON step;
    validation reports in such packets are mostly pre-flight audits).
    An IMPLEMENTATION heading that only holds the template's note
    (``- (Coder fills after skeleton approval.)``) is not implementation.

    Why
    The gate [CX-GATE-001] keeps design and implementation in separate,
    reviewable turns: the coder writes BOOTSTRAP and the SKELETON
    (interfaces), stops, and implements only after the approval is
    recorded in the packet. Implementation without the marker means the
    review checkpoint was skipped (or never recorded).

    How to fix
    Put the sections in template order (BOOTSTRAP, SKELETON, the
    ``SKELETON APPROVED`` line, IMPLEMENTATION). If the skeleton was really
    approved, record the marker line right after the SKELETON section; if it
    was not, get the approval before implementing. Waive the finding when a
    historical packet cannot be changed.

    Example
        ## SKELETON
        - Queue.push, Queue.lease, Queue.ack.

        SKELETON APPROVED

        ## IMPLEMENTATION
    passes; without the ``SKELETON APPROVED`` line the IMPLEMENTATION
    heading gives ``phase-order: IMPLEMENTATION heading ... before any
    SKELETON APPROVED marker``.
    """
    status = _status(packet)
    marks = _marks(packet, ctx)
    phased = marks.skeleton is not None or packet.format_version is not None

    if status in _CLAIMED and marks.bootstrap is None:
        yield hit(
            "Status is In Progress but the packet has no BOOTSTRAP heading (the coder's first phase)",
            line=packet.status.line if packet.status else packet.title_line or 1,
            data={"phase": "BOOTSTRAP", "status": packet.status.value if packet.status else None},
        )

    if not phased:
        yield from _gen1(marks)
        return

    boot, skel = marks.bootstrap, marks.skeleton
    if skel is not None:
        if boot is None:
            yield hit(
                f"SKELETON heading (line {skel.line}) has no BOOTSTRAP heading before it",
                line=skel.line,
                data={"phase": "BOOTSTRAP", "skeleton_line": skel.line},
            )
        elif boot.line > skel.line:
            yield hit(
                f"BOOTSTRAP heading (line {boot.line}) comes after the SKELETON heading (line {skel.line})",
                line=boot.line,
                data={"phase": "BOOTSTRAP", "bootstrap_line": boot.line, "skeleton_line": skel.line},
            )

    approved_at: int | None = None
    if marks.approvals:
        after = [a for a in marks.approvals if skel is not None and a > skel.line]
        if after:
            approved_at = after[0]
        else:
            first = marks.approvals[0]
            where = (
                f"before the SKELETON heading (line {skel.line})" if skel is not None
                else "but the packet has no SKELETON heading"
            )
            yield hit(
                f"SKELETON APPROVED marker (line {first}) comes {where}",
                line=first,
                data={"phase": "SKELETON APPROVED", "approval_line": first,
                      "skeleton_line": skel.line if skel else None},
            )
            return  # an approval out of order approves nothing: one finding

    early = _evidence(marks, approved_at)
    if early:
        line, what = early[0]
        if approved_at is None:
            msg = f"{what} (line {line}) but no SKELETON APPROVED marker" + _near_miss_note(marks)
        else:
            msg = f"{what} (line {line}) comes before the SKELETON APPROVED marker (line {approved_at})"
        yield hit(msg, line=line, data={"phase": "SKELETON APPROVED", "evidence_lines": [e[0] for e in early],
                                        "approval_line": approved_at})
    elif approved_at is None and status in _DONE:
        yield hit(
            f"Status is {packet.status.value[:40]} but the packet has no SKELETON APPROVED marker"
            + _near_miss_note(marks),
            line=packet.status.line if packet.status else packet.title_line or 1,
            data={"phase": "SKELETON APPROVED", "status": packet.status.value if packet.status else None},
        )


def _gen1(marks: _Marks) -> Iterator[Finding]:
    if not marks.approvals:
        return
    approved_at = marks.approvals[0]
    early = _evidence(marks, approved_at)
    if early:
        line, what = early[0]
        yield hit(
            f"{what} (line {line}) comes before the SKELETON APPROVED marker (line {approved_at})",
            line=line,
            data={"phase": "SKELETON APPROVED", "evidence_lines": [e[0] for e in early], "approval_line": approved_at},
        )


__all__: Sequence[str] = ("phase_order",)
