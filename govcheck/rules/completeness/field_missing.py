"""Packet completeness: the fields every packet generation requires, with
values from their vocabularies and no template placeholders left."""

from __future__ import annotations

import re
from typing import Iterator

from govcheck.engine.context import Context
from govcheck.model import Field, Finding, Packet
from govcheck.parse.vocabulary import STATUS_VOCABULARY
from govcheck.rules import ERROR, hit, rule

# Placeholders the reference project's completeness check rejects, plus the
# ones its template ships with.
PLACEHOLDER_RE = re.compile(
    r"\{\{[^}]*\}\}|<fill[^>]*>|<pending>|<unclaimed>|<tbd>|^\s*tbd\.?\s*$|^\s*todo\.?\s*$|\bLOW \| MEDIUM \| HIGH\b|\bYES \| NO\b",
    re.I,
)

E2E_LISTS = (
    "SERVER_SOURCES_OF_TRUTH",
    "REQUIRED_PROVENANCE_FIELDS",
    "VERIFICATION_PLAN",
    "ERROR_TAXONOMY_PLAN",
    "UI_GUARDRAILS",
    "VALIDATOR_ASSERTIONS",
)


def _where(packet: Packet) -> int | None:
    return packet.title_line or 1


@rule(
    "field-missing",
    severity=ERROR,
    codex="CX-573",
    summary="A field the packet's generation requires is missing or empty",
)
def field_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every packet needs: a Status, RISK_TIER, TEST_PLAN (with at least one
    command), DONE_MEANS, ROLLBACK_HINT, BOOTSTRAP, USER_SIGNATURE, and a
    spec pointer (a pinned SPEC_CURRENT, or SPEC_BASELINE and SPEC_TARGET).
    Packets that declare ``PACKET_FORMAT_VERSION`` also need the
    END_TO_END_CLOSURE_PLAN section with its APPLICABLE field, and when it
    is YES a TRUST_BOUNDARY and the six lists.

    Why
    These are the fields the reference project's packet completeness gate
    requires before work may start (CX-573); a validator cannot judge a
    packet that does not say what done means or how to test it.

    How to fix
    Fill the field (the packet template lists them all).

    Example
    A packet with ``## TEST_PLAN`` but no command under it gives
    ``field-missing: TEST_PLAN has no commands``.
    """
    def missing(name: str, why: str = "is missing", line: int | None = None) -> Finding:
        return hit(f"{name} {why}", line=line or _where(packet), data={"field": name})

    if packet.status is None:
        yield missing("Status", "is missing (expected a canonical **Status:** line)")
    if packet.risk_tier is None:
        yield missing("RISK_TIER")
    elif not packet.risk_tier.value:
        yield missing("RISK_TIER", "is empty", packet.risk_tier.line)
    if packet.test_plan is None:
        yield missing("TEST_PLAN")
    elif not packet.test_plan.commands and not packet.test_plan.prose:
        yield missing("TEST_PLAN", "has no commands", packet.test_plan.line)
    if packet.done_means is None:
        pass  # done-means-missing reports it, with its own explanation
    if packet.rollback_hint is None:
        yield missing("ROLLBACK_HINT")
    elif not packet.rollback_hint.value.strip():
        yield missing("ROLLBACK_HINT", "is empty", packet.rollback_hint.line)
    if packet.bootstrap is None:
        yield missing("BOOTSTRAP")
    if packet.user_signature is None:
        yield missing("USER_SIGNATURE")
    elif not packet.user_signature.value:
        yield missing("USER_SIGNATURE", "is empty", packet.user_signature.line)
    kinds = {r.kind for r in packet.spec_refs}
    pinned = any(r.kind in ("pinned", "spec-current-note", "master-spec") for r in packet.spec_refs)
    has_pointer_field = packet.field("SPEC_CURRENT") is not None
    if not (pinned or has_pointer_field or ("baseline" in kinds and "target" in kinds)):
        if "baseline" in kinds:
            yield missing("SPEC_TARGET", "is missing (SPEC_BASELINE needs a SPEC_TARGET)")
        elif "target" in kinds:
            yield missing("SPEC_BASELINE", "is missing (SPEC_TARGET needs a SPEC_BASELINE)")
        else:
            yield missing("SPEC_CURRENT", "is missing (name SPEC_CURRENT, or SPEC_BASELINE and SPEC_TARGET)")
    if packet.format_version is not None:
        yield from _e2e_missing(packet)


def _e2e_section(packet: Packet):
    return packet.section("END_TO_END_CLOSURE_PLAN")


def _e2e_fields(packet: Packet) -> dict[str, Field]:
    sec = _e2e_section(packet)
    if sec is None:
        return {}
    return {f.name: f for f in packet.fields if sec.line <= f.line <= sec.end_line}


def _e2e_missing(packet: Packet) -> Iterator[Finding]:
    sec = _e2e_section(packet)
    if sec is None:
        yield hit("END_TO_END_CLOSURE_PLAN section is missing (required by PACKET_FORMAT_VERSION packets)", line=_where(packet), data={"field": "END_TO_END_CLOSURE_PLAN"})
        return
    fields = _e2e_fields(packet)
    applicable = fields.get("END_TO_END_CLOSURE_PLAN_APPLICABLE") or fields.get("APPLICABLE")
    if applicable is None:
        yield hit("END_TO_END_CLOSURE_PLAN_APPLICABLE is missing", line=sec.line, data={"field": "END_TO_END_CLOSURE_PLAN_APPLICABLE"})
        return
    if applicable.value.strip().upper() != "YES":
        return
    if "TRUST_BOUNDARY" not in fields or not fields["TRUST_BOUNDARY"].value:
        yield hit("TRUST_BOUNDARY is missing (END_TO_END_CLOSURE_PLAN_APPLICABLE is YES)", line=sec.line, data={"field": "TRUST_BOUNDARY"})
    for name in E2E_LISTS:
        f = fields.get(name)
        if f is None:
            yield hit(f"{name} is missing (END_TO_END_CLOSURE_PLAN_APPLICABLE is YES)", line=sec.line, data={"field": name})
        elif not f.items and not f.value:
            yield hit(f"{name} is empty", line=f.line, data={"field": name})


@rule(
    "field-invalid",
    severity=ERROR,
    codex="CX-573",
    summary="A field's value is outside its vocabulary",
)
def field_invalid(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Status must be one of: Ready for Dev, In Progress, Done, Done
    (Historical), Validated, Blocked, STUB, Superseded (case and ``-``/``_``
    ignored; a bracketed suffix such as ``Done [VALIDATED]`` is allowed).
    RISK_TIER must be LOW, MEDIUM or HIGH. END_TO_END_CLOSURE_PLAN_APPLICABLE
    must be YES or NO.

    Why
    Scripts and people read these fields to route work (the task board,
    the claim and phase gates). A status like ``HARD-VALIDATED`` or
    ``Implementation complete`` is read by nothing.

    How to fix
    Use the canonical value; move any commentary to STATUS_HANDOFF.

    Example
        - **Status:** READY FOR DEV 🔴   -> fine (decoration ignored)
        - STATUS: Implementation complete; ready for Validation -> invalid
    """
    if packet.status is not None and packet.status.value:
        if packet.status_norm not in STATUS_VOCABULARY:
            yield hit(
                f"Status '{packet.status.value[:80]}' is not a canonical status ({', '.join(s.title() for s in STATUS_VOCABULARY)})",
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
        fields = _e2e_fields(packet)
        applicable = fields.get("END_TO_END_CLOSURE_PLAN_APPLICABLE") or fields.get("APPLICABLE")
        if applicable is not None and applicable.value.strip().upper() not in ("YES", "NO") and not PLACEHOLDER_RE.search(applicable.value):
            yield hit(
                f"END_TO_END_CLOSURE_PLAN_APPLICABLE '{applicable.value[:40]}' must be YES or NO",
                line=applicable.line,
                data={"field": "END_TO_END_CLOSURE_PLAN_APPLICABLE", "value": applicable.value},
            )


# Fields whose template placeholder must be replaced before work starts.
_PLACEHOLDER_FIELDS = (
    "TASK_ID",
    "WP_ID",
    "BASE_WP_ID",
    "DATE",
    "MERGE_BASE_SHA",
    "REQUESTOR",
    "AGENT_ID",
    "USER_SIGNATURE",
    "RISK_TIER",
    "SPEC_BASELINE",
    "SPEC_ANCHOR",
    "REFINEMENT_FILE",
    "TRUST_BOUNDARY",
    "END_TO_END_CLOSURE_PLAN_APPLICABLE",
    *E2E_LISTS,
)


_PLACEHOLDER_NAMES = frozenset(_PLACEHOLDER_FIELDS)
_CLAIMED_PLACEHOLDER_NAMES = _PLACEHOLDER_NAMES | {"CODER_MODEL", "CODER_REASONING_STRENGTH"}
_COMMAND_PLACEHOLDER_RE = re.compile(r"\{\{(?!WP_ID\}\}|MERGE_BASE_SHA\}\})[^}]*\}\}")


def may_hold_placeholder(text: str) -> bool:
    """False only when PLACEHOLDER_RE cannot match ``text``: every one of
    its alternatives needs "{{", "<" or "|", except the whole-value ``tbd``
    and ``todo``, which leave at most five characters once the whitespace
    around them is stripped (``\\s`` and str.strip() agree on whitespace).
    Most field values hold none of these, and the test costs a fraction of
    the regex search."""
    return "{{" in text or "<" in text or "|" in text or len(text.strip()) <= 5


@rule(
    "placeholder-left",
    severity=ERROR,
    codex="CX-573D",
    summary="A required field still holds a template placeholder",
)
def placeholder_left(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Required fields (metadata, SPEC_BASELINE/SPEC_ANCHOR, USER_SIGNATURE,
    RISK_TIER, the END_TO_END_CLOSURE_PLAN fields and lists, TEST_PLAN
    commands) must not hold template placeholders: ``{{...}}``,
    ``<fill...>``, ``<pending>``, ``<unclaimed>``, ``tbd``, or the
    template's choice lists ``LOW | MEDIUM | HIGH`` and ``YES | NO``.
    ``CODER_MODEL: <unclaimed>`` is fine before a coder claims the packet;
    it is reported only once the packet is In Progress or later.

    Why
    A packet copied from the template and never filled passes a presence
    check but says nothing (the reference project's zero-placeholder rule,
    CX-573D).

    How to fix
    Replace the placeholder with the real value.

    Example
        - USER_SIGNATURE: {{USER_SIGNATURE}}
        - TRUST_BOUNDARY: <fill> (examples: client->server)
    """
    claimed = packet.status is not None and packet.status_norm not in ("ready for dev", "stub", "")
    names = _CLAIMED_PLACEHOLDER_NAMES if claimed else _PLACEHOLDER_NAMES
    history_ranges = [(r.line, r.end_line) for r in packet.validation_reports]
    for f in packet.fields:
        if f.name not in names or any(a <= f.line <= b for a, b in history_ranges):
            continue
        for text, line in ((f.value, f.line), *((it.text, it.line) for it in f.items)):
            m = PLACEHOLDER_RE.search(text) if may_hold_placeholder(text) else None
            if m:
                yield hit(
                    f"{f.name} still holds the placeholder '{m.group(0).strip()}'",
                    line=line,
                    data={"field": f.name, "placeholder": m.group(0).strip()},
                )
    if packet.test_plan is not None:
        for cmd in packet.test_plan.commands:
            m = _COMMAND_PLACEHOLDER_RE.search(cmd.text) if "{{" in cmd.text else None
            if m:
                yield hit(
                    f"TEST_PLAN command still holds the placeholder '{m.group(0)}'",
                    line=cmd.line,
                    data={"field": "TEST_PLAN", "placeholder": m.group(0)},
                )
