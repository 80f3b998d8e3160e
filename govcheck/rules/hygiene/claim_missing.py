"""The ``claim-missing`` rule. Its docstring is its documentation: ``govcheck explain claim-missing``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.era import Since
from govcheck.analysis.packet_text import in_reports, report_ranges
from govcheck.analysis.placeholders import PLACEHOLDER_RE
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "claim-missing",
    severity=ERROR,
    summary="An In Progress packet does not say which coder model claimed it",
    since=Since(format_version="2026-02-01", why=(
        "CODER_MODEL and CODER_REASONING_STRENGTH are fields of the 2026-02-01 packet template.")),
    process=True,
)
def claim_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet with ``PACKET_FORMAT_VERSION`` whose Status is In Progress
    names ``CODER_MODEL`` and ``CODER_REASONING_STRENGTH``, each with a real
    value (not empty, not ``<unclaimed>`` or another placeholder).

    Why
    The reference project's claim gate: once work starts, the packet
    records who (which model, at which reasoning strength) is doing it, so
    the validator knows what produced the change and two coders never work
    one packet unknowingly.

    How to fix
    Fill the two METADATA fields when claiming the packet:
        - CODER_MODEL: gpt-5-codex
        - CODER_REASONING_STRENGTH: HIGH

    Example
        - **Status:** In Progress
        - CODER_MODEL: <unclaimed>        (reported)
    """
    if packet.format_version is None or packet.status is None:
        return
    if packet.status_norm != "in progress":
        return
    history = report_ranges(packet)
    for name in ("CODER_MODEL", "CODER_REASONING_STRENGTH"):
        f = next((x for x in packet.fields_named(name) if not in_reports(x.line, history)), None)
        if f is None:
            yield hit(f"packet is In Progress but names no {name}", line=packet.status.line, data={"field": name})
        elif not f.value.strip() or PLACEHOLDER_RE.search(f.value):
            yield hit(f"packet is In Progress but {name} is '{f.value}' (unclaimed)", line=f.line, data={"field": name, "value": f.value})
