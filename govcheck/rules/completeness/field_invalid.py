"""The ``field-invalid`` rule. Its docstring is its documentation: ``govcheck explain field-invalid``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.closure_plan import e2e_fields
from govcheck.analysis.placeholders import PLACEHOLDER_RE
from govcheck.model import Finding, Packet
from govcheck.parse.vocabulary import STATUS_VOCABULARY
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "field-invalid",
    severity=ERROR,
    codex="CX-573",
    summary="A field's value is outside its vocabulary",
)
def field_invalid(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Status must be one of the profile's statuses (config ``statuses``; under
    the handshake profile: Ready for Dev, In Progress, Done, Done
    (Historical), Validated, Blocked, STUB, Superseded (case and ``-``/``_``
    ignored; a bracketed suffix such as ``Done [VALIDATED]`` is allowed).
    RISK_TIER must be LOW, MEDIUM or HIGH. END_TO_END_CLOSURE_PLAN_APPLICABLE
    must be YES or NO.

    Why
    Scripts and people read these fields to route work (the task board,
    the claim and phase gates). A status like ``HARD-VALIDATED`` or
    ``Implementation complete`` is read by nothing.

    How to fix
    Use a status of the vocabulary, or add the word to config ``statuses``
    under its meaning; move any commentary out of the status line (the
    reference project keeps it in STATUS_HANDOFF).

    Example
        - **Status:** READY FOR DEV 🔴   -> fine (decoration ignored)
        - STATUS: Implementation complete; ready for Validation -> invalid
    """
    vocabulary = tuple(ctx.config.profile.statuses) or STATUS_VOCABULARY
    if packet.status is not None and packet.status.value:
        if packet.status_norm not in vocabulary:
            yield hit(
                f"Status '{packet.status.value[:80]}' is not a canonical status ({', '.join(s.title() for s in vocabulary)})",
                line=packet.status.line,
                data={"field": "Status", "value": packet.status.value},
            )
    if packet.risk_tier is not None and packet.risk_tier.value:
        if packet.risk is None and not PLACEHOLDER_RE.search(packet.risk_tier.value):
            yield hit(
                f"RISK_TIER '{packet.risk_tier.value[:60]}' is not one of LOW, MEDIUM, HIGH",
                line=packet.risk_tier.line,
                data={"field": "RISK_TIER", "value": packet.risk_tier.value},
            )
    if packet.format_version is not None:
        fields = e2e_fields(packet)
        applicable = fields.get("END_TO_END_CLOSURE_PLAN_APPLICABLE") or fields.get("APPLICABLE")
        if applicable is not None and applicable.value.strip().upper() not in ("YES", "NO") and not PLACEHOLDER_RE.search(applicable.value):
            yield hit(
                f"END_TO_END_CLOSURE_PLAN_APPLICABLE '{applicable.value[:40]}' must be YES or NO",
                line=applicable.line,
                data={"field": "END_TO_END_CLOSURE_PLAN_APPLICABLE", "value": applicable.value},
            )
