"""The ``packet-unreadable`` rule. Its docstring is its documentation: ``govcheck explain packet-unreadable``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "packet-unreadable",
    severity=ERROR,
    summary="The packet file is empty, binary, or cannot be read",
)
def packet_unreadable(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet file has text: it is not empty (or whitespace only), holds no
    NUL bytes (a binary file saved under a packet name), and could be read.

    Why
    Nothing else can be checked; an empty packet is usually a botched move
    or an editor that truncated the file.

    How to fix
    Restore the packet from history (``git log -- <path>``).

    Example
    A 0-byte ``WP-1-Example.md``.
    """
    for issue in packet.parse_issues:
        if issue.kind in ("empty", "unreadable"):
            yield hit(f"packet {issue.detail}", line=issue.line or 1, data={"kind": issue.kind})
    for issue in packet.decode_issues:
        if issue.kind == "binary":
            yield hit(f"packet holds binary data ({issue.detail})", line=issue.line, data={"kind": "binary"})
            return
