"""The ``field-missing`` rule. Its docstring is its documentation: ``govcheck explain field-missing``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.closure_plan import E2E_LISTS, e2e_fields, e2e_section
from govcheck.analysis.era import Since
from govcheck.model import Finding, Packet
from govcheck.model.profile import Profile, field_key, internal_field
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


def _where(packet: Packet) -> int | None:
    return packet.title_line or 1


# ROLLBACK_HINT is not among the fields the reference's completeness check
# requires; it is a section of the 2026-02-01 template.
ROLLBACK_HINT_SINCE = Since(format_version="2026-02-01")


@rule(
    "field-missing",
    severity=ERROR,
    codex="CX-573",
    summary="A field the packet's generation requires is missing or empty",
)
def field_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every field the profile requires (config ``required_fields``) is there
    and not empty. Under the handshake profile every packet needs: a Status, RISK_TIER, TEST_PLAN (with at least one
    command), DONE_MEANS, BOOTSTRAP, USER_SIGNATURE, and a spec pointer (a
    pinned SPEC_CURRENT, or SPEC_BASELINE and SPEC_TARGET): the fields the
    reference's completeness check has asked for from the first packets.
    ROLLBACK_HINT came with the 2026-02-01 template and is asked of packets
    written from it on.
    Packets that declare ``PACKET_FORMAT_VERSION`` also need the
    END_TO_END_CLOSURE_PLAN section with its APPLICABLE field, and when it
    is YES a TRUST_BOUNDARY and the six lists.

    Why
    These are the fields the reference project's packet completeness gate
    requires before work may start (CX-573); a validator cannot judge a
    packet that does not say what done means or how to test it.

    How to fix
    Fill the field (the packet template lists them all).

    Under the generic profile the default is status, done_means, test_plan
    and spec_version; a TEST_PLAN must hold commands (a fenced or indented
    code block, a list of ``inline code`` items, or a front-matter list):
    one written only as prose is reported, never read as "no commands".

    Example
    A packet with ``## TEST_PLAN`` but no command under it gives
    ``field-missing: TEST_PLAN has no commands``.
    """
    profile = ctx.config.profile

    def missing(name: str, why: str = "is missing", line: int | None = None) -> Finding:
        return hit(f"{profile.label(name)} {why}", line=line or _where(packet), data={"field": name})

    for required in profile.required_fields:
        yield from _required(packet, field_key(required), profile, missing)
    if packet.format_version is not None:
        yield from _e2e_missing(packet)


def _required(packet: Packet, name: str, profile: Profile, missing) -> Iterator[Finding]:
    """Findings for one required field (``name`` as field_key gives it)."""
    if name == "STATUS":
        if packet.status is None:
            where = ("a `status:` front-matter key, a **Status:** label or a Status heading" if profile.front_matter
                     else "a canonical **Status:** line")
            yield missing("Status", f"is missing (expected {where})")
    elif name == "RISK_TIER":
        if packet.risk_tier is None:
            yield missing("RISK_TIER")
        elif not packet.risk_tier.value:
            yield missing("RISK_TIER", "is empty", packet.risk_tier.line)
    elif name == "TEST_PLAN":
        if packet.test_plan is None:
            yield missing("TEST_PLAN")
        elif not packet.test_plan.commands and not packet.test_plan.prose:
            yield missing("TEST_PLAN", "has no commands", packet.test_plan.line)
        elif not packet.test_plan.commands and not profile.eras:
            yield missing("TEST_PLAN", "names no command govcheck can run (write commands in a fenced or "
                          "indented code block, or as a list of `inline code` items)", packet.test_plan.line)
    elif name == "DONE_MEANS":
        pass  # done-means-missing reports it, with its own explanation
    elif name in ("ROLLBACK_HINT", "ROLLBACK"):
        if packet.rollback_hint is None and profile.eras and not ROLLBACK_HINT_SINCE.applies_to(packet):
            pass  # the packet predates the field
        elif packet.rollback_hint is None:
            yield missing("ROLLBACK_HINT")
        elif not packet.rollback_hint.value.strip():
            yield missing("ROLLBACK_HINT", "is empty", packet.rollback_hint.line)
    elif name == "BOOTSTRAP":
        if packet.bootstrap is None:
            yield missing("BOOTSTRAP")
    elif name in ("USER_SIGNATURE", "USER_SIGNATURE_LOCKED"):
        if packet.user_signature is None:
            yield missing("USER_SIGNATURE")
        elif not packet.user_signature.value:
            yield missing("USER_SIGNATURE", "is empty", packet.user_signature.line)
    elif name in ("SPEC_VERSION", "SPEC"):
        yield from _spec_pointer_missing(packet, profile, missing)
    else:
        internal = internal_field(name)
        found = packet.field(internal)
        if found is None:
            yield missing(internal)
        elif not found.value.strip() and not found.items:
            yield missing(internal, "is empty", found.line)


def _spec_pointer_missing(packet: Packet, profile: Profile, missing) -> Iterator[Finding]:
    kinds = {r.kind for r in packet.spec_refs}
    pinned = any(r.kind in ("pinned", "spec-current-note", "master-spec", "spec-field") for r in packet.spec_refs)
    has_pointer_field = packet.field("SPEC_CURRENT") is not None
    if pinned or has_pointer_field or ("baseline" in kinds and "target" in kinds):
        return
    if "baseline" in kinds:
        yield missing("SPEC_TARGET", "is missing (SPEC_BASELINE needs a SPEC_TARGET)")
    elif "target" in kinds:
        written = packet.field("SPEC_BASELINE")
        if written is not None and written.value.strip():
            # Written, but naming no version: "Handshake_Master_Spec_vXX.XX.md".
            yield missing("SPEC_BASELINE", f"names no spec version ('{written.value.strip()[:60]}'): "
                          "a template placeholder left in place", written.line)
        else:
            yield missing("SPEC_BASELINE", "is missing (SPEC_TARGET needs a SPEC_BASELINE)")
    elif "SPEC" in profile.labels:
        # The team's one spec field: a packet naming no version at all is
        # spec-unanchored's (one cause, one finding); a field written with
        # no version in it is this rule's.
        spec = packet.field("SPEC")
        if spec is not None and spec.value.strip():
            yield missing("SPEC", f"names no spec version ('{spec.value.strip()[:60]}')", spec.line)
    else:
        yield missing("SPEC_CURRENT", "is missing (name SPEC_CURRENT, or SPEC_BASELINE and SPEC_TARGET)")


def _e2e_missing(packet: Packet) -> Iterator[Finding]:
    sec = e2e_section(packet)
    if sec is None:
        yield hit("END_TO_END_CLOSURE_PLAN section is missing (required by PACKET_FORMAT_VERSION packets)", line=_where(packet), data={"field": "END_TO_END_CLOSURE_PLAN"})
        return
    fields = e2e_fields(packet)
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
