"""The packet's own text as rules read it (through the repo, decoded once),
the line ranges of its earlier validation reports, and where a field sits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from govcheck.analysis.text import split_lines
from govcheck.errors import GovcheckError
from govcheck.model import Packet

if TYPE_CHECKING:
    from govcheck.engine.context import Context


def packet_text(packet: Packet, ctx: Context) -> str:
    """The packet's decoded text (BOM removed, line endings normalised), or
    "" when it cannot be read."""
    try:
        return ctx.repo.read_text(packet.path)
    except (OSError, GovcheckError):
        return ""


def packet_lines(packet: Packet, ctx: Context) -> Sequence[str]:
    """The packet's decoded lines, numbered as the parser numbers them
    (line 1 = index 0); split once for all the rules that read them."""
    try:
        return split_lines(ctx.repo.read_text(packet.path))
    except (OSError, GovcheckError):
        return []


def report_ranges(packet: Packet) -> list[tuple[int, int]]:
    return [(r.line, r.end_line) for r in packet.validation_reports]


def in_reports(line: int, history: Sequence[tuple[int, int]]) -> bool:
    return any(a <= line <= b for a, b in history)


def field_line(packet: Packet, *field_names: str) -> int:
    for name in field_names:
        f = packet.field(name)
        if f is not None:
            return f.line
    return packet.title_line or 1
