"""The ``waiver-invalid`` rule. Its docstring is its documentation: ``govcheck explain waiver-invalid``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.waivers import problems, waiver_origin, waivers_for
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule("waiver-invalid", severity=ERROR, codex="CX-573F", scope="post",
      summary="A waiver lacks its id, date or justification, so it waives nothing")
def waiver_invalid(packet: Packet, ctx: Context, findings: Sequence[Finding]) -> Iterator[Finding]:
    """What it checks
    Every entry of WAIVERS GRANTED (and every ``waivers`` entry of
    govcheck.yaml that applies to the packet) states a waiver id, a date
    (YYYY-MM-DD) and a justification. An owner and an expiry date are
    optional. An incomplete waiver is not applied.

    Why
    The reference project's template asks for Waiver ID, Date, Scope and
    Justification [CX-573F]: a waiver nobody can trace back is a hole in
    the gate.

    How to fix
    Complete the entry, or remove it if nobody granted it.

    Example
        - [WAIVER-ROLLOUT] Coders not yet on the new workflow. Approver: ilja.
    has no date and no justification field.
    """
    for w in waivers_for(packet, ctx.config):
        missing = problems(w)
        if missing:
            name = w.id or "waiver"
            yield hit(f"{name} ({waiver_origin(w)}) is missing {', '.join(missing)}; it is not applied",
                      line=w.line, data={"waiver": w.id, "missing": missing, "source": w.source})
