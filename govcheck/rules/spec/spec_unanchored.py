"""The ``spec-unanchored`` rule. Its docstring is its documentation: ``govcheck explain spec-unanchored``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.anchoring import anchored_version
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
