"""The ``spec-stale`` rule. Its docstring is its documentation: ``govcheck explain spec-stale``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.anchoring import anchored_version, basis_label, version_label
from govcheck.analysis.spec_diff import changed_anchored_sections
from govcheck.model import Finding, Packet, Severity
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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

    On a closed packet (Done, Validated, Done (Historical)) this is drift,
    not a defect of the work: when it is the packet's only error the
    verdict is OUTDATED, with the sections that changed and their diffs.
    A closed packet none of whose anchored sections changed is not stale
    in substance: the finding is info and the packet can pass.

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
            severity = Severity(unchanged_sev)
        elif changes.changed == () and packet.status_class == "done":
            severity = Severity.INFO
    msg = (
        f"packet is anchored to {version_label(anchoring.version)} ({basis_label(anchoring.ref.kind)}, line {anchoring.ref.line}); "
        f"SPEC_CURRENT names {version_label(current)}"
    )
    if changes is not None:
        if changes.changed is None:
            msg += f"; the text of {version_label(anchoring.version)} is not in the repo or its git history, so which anchored sections changed is unknown"
        elif changes.changed:
            msg += f"; anchored sections changed since: {', '.join(changes.changed)}"
        else:
            msg += "; no anchored section changed since (govcheck reanchor can move the pointers)"
            if packet.status_class == "done":
                msg += "; the closed packet is not stale in substance"
    yield hit(msg, line=anchoring.ref.line, data=data, severity=severity)


def _changed_sections(packet: Packet, ctx: Context, old_version: str):
    """What changed under the packet's anchors, or None when the packet
    anchors no section (then only the version can be compared)."""
    if not packet.anchors:
        return None
    return changed_anchored_sections(ctx.spec_store, old_version, ctx.spec_current.version, packet.anchors)
