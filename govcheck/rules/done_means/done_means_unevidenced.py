"""The ``done-means-unevidenced`` rule. Its docstring is its documentation: ``govcheck explain done-means-unevidenced``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.done_means import EVIDENCE_MAPPING_SINCE, criteria_status
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "done-means-unevidenced",
    severity=ERROR,
    codex="CX-573",
    summary="A Done packet has a DONE_MEANS criterion without existing evidence",
    since=EVIDENCE_MAPPING_SINCE,
)
def done_means_unevidenced(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    When the packet's status claims Done or Validated, every DONE_MEANS
    criterion needs an EVIDENCE_MAPPING entry (``REQUIREMENT: "<criterion>"``
    with ``EVIDENCE: path/to/file:line``) whose file exists in the repo and
    has that line. A criterion that says the tests pass is checked against
    the TEST_PLAN outcome instead (see ``test-plan-failed``). Under a
    profile without eras (generic), only packets that keep an
    EVIDENCE_MAPPING (or whose profile requires ``evidence_mapping``) are
    held to it.

    Why
    "Done" without evidence is the phantom completion that hand validation
    misses: the claim outlives the code that backed it.

    How to fix
    Add the mapping, or fix the path:line after code moved.

    Example
        ## EVIDENCE_MAPPING
        - REQUIREMENT: "Storage trait exposes backend-agnostic methods"
          - EVIDENCE: `src/storage/mod.rs:42`
    """
    if packet.status_class != "done":
        return
    for c in criteria_status(packet, ctx):
        if c.status == "unevidenced":
            yield hit(
                f"criterion has no evidence in the repo ({c.note}): '{c.text[:80]}'",
                line=c.line,
                data={"criterion": c.text, "evidence": list(c.evidence)},
            )
