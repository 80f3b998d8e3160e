"""The ``packet-outside-repo`` rule. Its docstring is its documentation: ``govcheck explain packet-outside-repo``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "packet-outside-repo",
    severity=ERROR,
    summary="The packet is a symlink that leaves the repository; it was not read",
)
def packet_outside_repo(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet path must resolve inside the repository. A symlink to a file
    elsewhere is refused and not read.

    Why
    A pull request could otherwise make the validator read (and report on,
    or run commands from) any file on the CI machine.

    How to fix
    Commit the packet itself instead of a link.

    Example
    ``WP-1-X.md -> /etc/passwd``
    """
    for issue in packet.parse_issues:
        if issue.kind == "outside-repo":
            yield hit(f"packet resolves outside the repository ({issue.detail}); refused", line=1)
