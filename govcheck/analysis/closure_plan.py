"""The END_TO_END_CLOSURE_PLAN section of PACKET_FORMAT_VERSION packets: its
fields and the lists it must name when it applies."""

from __future__ import annotations

from govcheck.model import Field, Packet

E2E_LISTS = (
    "SERVER_SOURCES_OF_TRUTH",
    "REQUIRED_PROVENANCE_FIELDS",
    "VERIFICATION_PLAN",
    "ERROR_TAXONOMY_PLAN",
    "UI_GUARDRAILS",
    "VALIDATOR_ASSERTIONS",
)


def e2e_section(packet: Packet):
    return packet.section("END_TO_END_CLOSURE_PLAN")


def e2e_fields(packet: Packet) -> dict[str, Field]:
    sec = e2e_section(packet)
    if sec is None:
        return {}
    return {f.name: f for f in packet.fields if sec.line <= f.line <= sec.end_line}
