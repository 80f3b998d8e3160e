"""The ``placeholder-left`` rule. Its docstring is its documentation: ``govcheck explain placeholder-left``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.closure_plan import E2E_LISTS
from govcheck.analysis.placeholders import PLACEHOLDER_RE, may_hold_placeholder
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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

_SLOT_COMMAND_RE = re.compile(r"<[a-z]+(?:[ _-][a-z]+){0,3}>")


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
    template's choice lists ``LOW | MEDIUM | HIGH`` and ``YES | NO``; a
    TEST_PLAN command that is nothing but a template slot (``<command>``).
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
                    # The team's own name for the field where its profile has one: "Impact (RISK_TIER)".
                    f"{ctx.config.profile.label(f.name)} still holds the placeholder '{m.group(0).strip()}'",
                    line=line,
                    data={"field": f.name, "placeholder": m.group(0).strip()},
                )
    if packet.test_plan is not None:
        for cmd in packet.test_plan.commands:
            m = _COMMAND_PLACEHOLDER_RE.search(cmd.text) if "{{" in cmd.text else None
            # A command that is nothing but a template slot (`<command>`);
            # slots inside a real command (--range <merge_base>..HEAD) are
            # the runner's to fill (docs/running-commands.md).
            m = m or (_SLOT_COMMAND_RE.fullmatch(cmd.text.strip()) if cmd.text.startswith("<") else None)
            if m:
                yield hit(
                    f"TEST_PLAN command still holds the placeholder '{m.group(0)}'",
                    line=cmd.line,
                    data={"field": "TEST_PLAN", "placeholder": m.group(0)},
                )
