"""The ``done-means-vague`` rule. Its docstring is its documentation: ``govcheck explain done-means-vague``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.done_means import is_placeholder, is_vague
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "done-means-vague",
    severity=WARNING,
    summary="A DONE_MEANS criterion names no observable outcome",
)
def done_means_vague(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each DONE_MEANS criterion should name something a reviewer can observe:
    a command and its result, a file, a number, a behaviour (``returns``,
    ``rejects``, ``emits``, ``shows``, ``passes`` ...). A criterion made only
    of words such as "works properly", "is complete" or "improved", or
    shorter than five words without any checkable term, is reported.

    Why
    "Works as expected" cannot be validated; it turns validation into
    opinion.

    How to fix
    Say what can be seen when it is done: the command, the output, the file.

    Example
        - Storage works properly.          (vague)
        - `just validator-dal-audit` returns PASS with zero violations.  (fine)
    """
    if packet.done_means is None:
        return
    for item in packet.done_means.items:
        if not is_placeholder(item.text) and is_vague(item.text):
            yield hit(f"DONE_MEANS criterion names no observable outcome: '{item.text[:80]}'", line=item.line, data={"criterion": item.text})
