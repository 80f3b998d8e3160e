"""The ``waiver-expired`` rule. Its docstring is its documentation: ``govcheck explain waiver-expired``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.waivers import expired, problems, waiver_origin, waivers_for
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule("waiver-expired", severity=WARNING, codex="CX-573F", scope="post",
      summary="A waiver's expiry has passed; what it waived is reported again")
def waiver_expired(packet: Packet, ctx: Context, findings: Sequence[Finding]) -> Iterator[Finding]:
    """What it checks
    A waiver whose ``Expires`` date lies before today. Expired waivers are
    not applied, so the findings they covered count again. An expiry in
    words ("on WP closure") is the packet's own lifetime and is not
    judged: the closed packet was validated while it held.

    Why
    Waivers are granted for a time or a phase; past it, the rule applies.

    How to fix
    Fix what the waiver covered, or get a new waiver with a new date.

    Example
    ``Expires: 2026-01-31`` validated on 2026-02-10.
    """
    for w in waivers_for(packet, ctx.config):
        if problems(w):
            continue
        why = expired(w, packet, ctx.today)
        if why:
            yield hit(f"{w.id} ({waiver_origin(w)}) {why}; it is not applied", line=w.line,
                      data={"waiver": w.id, "expires": w.expires, "source": w.source})
