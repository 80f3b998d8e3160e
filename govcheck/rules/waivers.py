"""Waivers: findings about the waivers themselves.

These rules run after every other rule of the packet (``scope="post"``):
they see the packet's findings with waivers applied, so they can tell a
waiver that waived nothing from one that did.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from govcheck.engine.context import Context
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, WARNING, hit, rule

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class ActiveWaiver:
    """A waiver from the packet or from config, as the engine applies it."""

    id: str | None
    date: str | None
    justification: str | None
    rules: tuple[str, ...]
    expires: str | None
    line: int | None  # packet line (None for config waivers)
    source: str  # "packet" | "config"
    config_line: int = 0


def parse_date(text: str | None) -> _dt.date | None:
    if not text:
        return None
    m = _DATE_RE.search(str(text))
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def waivers_for(packet: Packet, ctx: Context) -> list[ActiveWaiver]:
    out = [
        ActiveWaiver(w.waiver_id, w.date, w.justification, tuple(w.rules), w.expires, w.line, "packet")
        for w in packet.waivers
    ]
    for w in getattr(ctx.config, "waivers", ()) or ():
        if not w.packets or packet.id in w.packets:
            out.append(ActiveWaiver(w.id, w.date, w.justification, tuple(w.rules), w.expires, None, "config", w.line))
    return out


def problems(w: ActiveWaiver) -> list[str]:
    missing = [name for name, value in (("waiver id", w.id), ("date", w.date), ("justification", w.justification))
               if not (value and str(value).strip())]
    if w.date and parse_date(w.date) is None:
        missing.append(f"a date in YYYY-MM-DD form (got '{w.date}')")
    return missing


def expired(w: ActiveWaiver, packet: Packet, today: _dt.date) -> str | None:
    """Why the waiver no longer applies, or None while it does. Only a
    dated expiry expires mechanically: "expires on WP closure" describes the
    packet's own lifetime, and the closed packet was validated under it."""
    when = parse_date(w.expires)
    if when is not None and when < today:
        return f"expired on {when.isoformat()}"
    return None


def usable(w: ActiveWaiver, packet: Packet, today: _dt.date) -> bool:
    return not problems(w) and expired(w, packet, today) is None


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
    for w in waivers_for(packet, ctx):
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
    for w in waivers_for(packet, ctx):
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
    from govcheck.rules import all_rules

    known = all_rules()
    used = {f.waived_by for f in findings if f.waived_by}
    for w in waivers_for(packet, ctx):
        ours = [r for r in w.rules if r in known]  # "Check Waived: out-of-scope" names a process step
        if not ours or not usable(w, packet, ctx.today) or w.id in used:
            continue
        if not ctx.ran_commands and set(ours) <= {"test-plan-failed", "status-unproven"}:
            continue
        yield hit(f"{w.id} ({_where(w)}) waives {', '.join(ours)} but no such finding was raised",
                  line=w.line, data={"waiver": w.id, "rules": ours, "source": w.source})
