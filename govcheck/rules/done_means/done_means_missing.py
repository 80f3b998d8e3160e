"""The ``done-means-missing`` rule. Its docstring is its documentation: ``govcheck explain done-means-missing``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "done-means-missing",
    severity=ERROR,
    codex="CX-573",
    summary="DONE_MEANS is missing or has no criteria",
)
def done_means_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet has a DONE_MEANS field or section with at least one
    criterion (a bullet or a line of text).

    Why
    DONE_MEANS is the acceptance contract: without it nobody, human or
    agent, can say when the work is finished or what to validate.

    How to fix
    List measurable acceptance criteria, one per bullet.

    Example
        ### DONE_MEANS
        - `cargo test -p storage` passes with the new migration tests.
    """
    if packet.done_means is None:
        yield hit("DONE_MEANS is missing", line=packet.title_line or 1)
    elif not packet.done_means.items:
        yield hit("DONE_MEANS has no criteria", line=packet.done_means.line)
