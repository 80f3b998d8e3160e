"""The ``packet-superseded`` rule. Its docstring is its documentation: ``govcheck explain packet-superseded``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import INFO, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "packet-superseded",
    severity=INFO,
    summary="A flat WP-*.md file is superseded by the folder packet of the same id",
)
def packet_superseded(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    When a packet exists both as a folder (``WP-ID/packet.md``) and as a
    flat ``WP-ID.md``, the folder is the packet and the flat file is legacy.

    Why
    Readers of the old file may follow stale text; the reference project
    keeps flat files only as copies of the folder projection.

    How to fix
    Delete the flat file once nothing links to it, or keep it identical.

    Example
    ``.GOV/task_packets/WP-1-X.md`` beside ``.GOV/task_packets/WP-1-X/packet.md``.
    """
    for issue in packet.parse_issues:
        if issue.kind == "superseded":
            yield hit(f"{issue.detail} is superseded by this folder packet", line=1, data={"superseded": issue.detail})
