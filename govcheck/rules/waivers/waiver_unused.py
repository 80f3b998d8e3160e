"""Waivers: findings about the waivers themselves.

These rules run after every other rule of the packet (``scope="post"``):
they see the packet's findings with waivers applied, so they can tell a
waiver that waived nothing from one that did.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from govcheck.engine.context import Context
from govcheck.model import Finding, Packet
from govcheck.analysis.waivers import ActiveWaiver, expired, problems, usable, waivers_for
from govcheck.rules import ERROR, WARNING, hit, rule

def _where(w: ActiveWaiver) -> str:
    return "govcheck.yaml" + (f":{w.config_line}" if w.config_line else "") if w.source == "config" else "packet"


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
            yield hit(f"{name} ({_where(w)}) is missing {', '.join(missing)}; it is not applied",
                      line=w.line, data={"waiver": w.id, "missing": missing, "source": w.source})


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
            yield hit(f"{w.id} ({_where(w)}) {why}; it is not applied", line=w.line,
                      data={"waiver": w.id, "expires": w.expires, "source": w.source})


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
        yield hit(f"{w.id} ({_where(w)}) waives {', '.join(ours)} but no such finding was raised",
                  line=w.line, data={"waiver": w.id, "rules": ours, "source": w.source})
