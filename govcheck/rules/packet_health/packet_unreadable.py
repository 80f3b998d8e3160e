"""The ``packet-unreadable`` rule. Its docstring is its documentation: ``govcheck explain packet-unreadable``."""

from __future__ import annotations

import posixpath
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
    NUL bytes (a binary file saved under a packet name), could be read, and
    is not too large to check (by default 16 MiB or 25,000 lines). A folder
    packet's packet.json must be valid JSON that can be read: not nested
    deeper than the JSON reader goes, not over the size limit (else the
    packet.md projection is checked without it).

    Why
    Nothing else can be checked; an empty packet is usually a botched move
    or an editor that truncated the file. Packets come from pull requests:
    a huge one would stall every run that reads it.

    How to fix
    Restore the packet from history (``git log -- <path>``); split a packet
    too large to check; correct packet.json at the line named.

    Example
    A 0-byte ``WP-1-Example.md``.
    """
    for issue in packet.parse_issues:
        if issue.kind in ("empty", "unreadable"):
            yield hit(f"packet {issue.detail}", line=issue.line or 1, data={"kind": issue.kind})
        elif issue.kind == "packet-json-invalid":
            # packet.json lies beside the folder packet's packet.md.
            yield hit(issue.detail, path=posixpath.join(posixpath.dirname(packet.path), "packet.json"),
                      line=issue.line, data={"kind": issue.kind})
    for issue in packet.decode_issues:
        if issue.kind == "binary":
            yield hit(f"packet holds binary data ({issue.detail})", line=issue.line, data={"kind": "binary"})
            return
