"""Rules in force by era: from when a rule applies to a packet.

A team's rules come in over time: the reference project's own scripts keep
newer template requirements off packets written before them ("avoid
breaking legacy packets"), gate them on PACKET_FORMAT_VERSION, and accept
``Done (Historical)``. govcheck does the same: every rule declares, with
``@rule(..., since=Since(...))``, the first packets it applies to, and the
engine runs on a packet only the rules that were in force for it (config
``rules.<id>.all_eras: true`` forces one on older packets).

A packet's era is read from its own facts: its generation (contract
packets are the newest), its PACKET_FORMAT_VERSION (a date), and the date
it was written (its DATE field).
"""

from __future__ import annotations

from dataclasses import dataclass

from govcheck.model import Packet

# Packets from folders with a packet.json contract postdate every Markdown
# template requirement, unless their projection carries older dates.
CONTRACT_GENERATIONS = ("gen3",)


@dataclass(frozen=True)
class Since:
    """The first packets a rule applies to. With no field set: always.

    ``format_version``: packets declaring a PACKET_FORMAT_VERSION at least
    this (ISO date) or contract packets. ``written``: packets whose DATE is
    at least this; a packet without a DATE counts as written at its format
    version's date, and one with neither as older. ``why``: the evidence
    for the start, shown by ``govcheck explain``.
    """

    format_version: str | None = None
    written: str | None = None
    why: str = ""

    @property
    def always(self) -> bool:
        return self.format_version is None and self.written is None

    def describe(self) -> str:
        if self.always:
            return "every packet"
        parts = []
        if self.format_version:
            parts.append(f"packets with PACKET_FORMAT_VERSION {self.format_version} or later (and contract packets)")
        if self.written:
            parts.append(f"packets written (DATE) on or after {self.written}")
        return " and ".join(parts)

    def applies_to(self, packet: Packet) -> bool:
        version = packet.format_version_date
        if self.always:
            return True
        if packet.generation in CONTRACT_GENERATIONS and version is None and packet.written_on is None:
            # A contract packet that states no date of its own is of the
            # contract era; one imported from an older packet keeps the
            # dates that packet was written with, and is judged by them.
            return True
        if self.format_version and not (version and version >= self.format_version):
            return False
        if self.written:
            written = packet.written_on or version
            if not (written and written >= self.written):
                return False
        return True


ALWAYS = Since()
