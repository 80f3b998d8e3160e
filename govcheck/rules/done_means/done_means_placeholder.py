"""The ``done-means-placeholder`` rule. Its docstring is its documentation: ``govcheck explain done-means-placeholder``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.done_means import is_placeholder
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "done-means-placeholder",
    severity=ERROR,
    codex="CX-573D",
    summary="A DONE_MEANS criterion is a template placeholder",
)
def done_means_placeholder(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    No DONE_MEANS criterion is a placeholder: ``tbd``, ``{{...}}``,
    ``<fill>``, ``<pending>``, or the template's ``measurable criterion 1``.

    Why
    A placeholder criterion passes a presence check and promises nothing.

    How to fix
    Replace it with the real criterion, or delete the bullet.

    Example
        - measurable criterion 1
    """
    if packet.done_means is None:
        return
    for item in packet.done_means.items:
        if is_placeholder(item.text):
            yield hit(f"DONE_MEANS criterion is a placeholder: '{item.text[:80]}'", line=item.line, data={"criterion": item.text})
