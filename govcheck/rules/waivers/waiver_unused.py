"""The ``waiver-unused`` rule. Its docstring is its documentation: ``govcheck explain waiver-unused``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.waivers import usable, waiver_origin, waivers_for
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule("waiver-unused", severity=WARNING, codex="CX-573F", scope="post",
      summary="A waiver names govcheck rules but waived no finding in this run")
def waiver_unused(packet: Packet, ctx: Context, findings: Sequence[Finding]) -> Iterator[Finding]:
    """What it checks
    A valid, unexpired waiver that names govcheck rule ids (in a ``Rules:``
    field, or ids such as ``spec-stale`` in its scope) but matched no
    finding of those rules in this run. Waivers that name no govcheck rule
    (they waive a human process step) are left alone. Rules about TEST_PLAN
    outcomes are not judged under ``--no-run``.

    Why
    A waiver that waives nothing is stale; left in place it will silently
    waive the next, different problem.

    How to fix
    Remove the waiver (or let it expire).

    Example
    ``Rules: non-ascii`` in a packet that is now plain ASCII.
    """
    known = ctx.rule_ids
    used = {f.waived_by for f in findings if f.waived_by}
    for w in waivers_for(packet, ctx.config):
        ours = [r for r in w.rules if r in known]  # "Check Waived: out-of-scope" names a process step
        if not ours or not usable(w, packet, ctx.today) or w.id in used:
            continue
        if not ctx.ran_commands and set(ours) <= {"test-plan-failed", "status-unproven"}:
            continue
        yield hit(f"{w.id} ({waiver_origin(w)}) waives {', '.join(ours)} but no such finding was raised",
                  line=w.line, data={"waiver": w.id, "rules": ours, "source": w.source})
