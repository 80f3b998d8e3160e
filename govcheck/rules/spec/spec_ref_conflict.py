"""The ``spec-ref-conflict`` rule. Its docstring is its documentation: ``govcheck explain spec-ref-conflict``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.anchoring import anchored_version, version_label
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
        f"packet names {', '.join(version_label(v) for v in others)} besides {version_label(anchoring.version)} "
        f"(line {anchoring.ref.line}); govcheck uses {version_label(anchoring.version)}",
        line=first.line,
        data={"chosen": anchoring.version, "others": others},
    )
