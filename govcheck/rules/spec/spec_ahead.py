"""The ``spec-ahead`` rule. Its docstring is its documentation: ``govcheck explain spec-ahead``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.anchoring import anchored_version, version_label
from govcheck.model import Finding, Packet
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
            f"packet is anchored to {version_label(anchoring.version)}, newer than SPEC_CURRENT's {version_label(current)}",
            line=anchoring.ref.line,
            data={"packet_version": anchoring.version, "current_version": current},
        )
