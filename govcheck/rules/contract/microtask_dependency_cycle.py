"""microtask-dependency-cycle: microtasks that depend on each other in a
circle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import microtasks
from govcheck.analysis.era import Since
from govcheck.analysis.microtasks import check_microtasks
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "microtask-dependency-cycle",
    severity=ERROR,
    summary="Microtasks of the packet depend on each other in a cycle",
    since=Since(why=(
        "The rule reads the MT-NNN.json microtask contracts in the packet folder, wherever they exist; a "
        "packet without them has nothing to judge.")),
)
def microtask_dependency_cycle(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The dependencies between the packet's microtask contracts form no
    cycle (MT-001 needs MT-002, which needs MT-001). Each cycle is reported
    once, at the dependency line of its first microtask, with the whole
    circle spelled out.

    Why
    No microtask of a cycle can start: each waits for another. Such a
    packet can only be finished by ignoring its own plan.

    How to fix
    Decide which microtask really comes first and drop the dependency that
    points back to it.

    Example
        MT-001.json:10: dependency cycle: MT-001 -> MT-003 -> MT-001
    """
    for issue in check_microtasks(microtasks(packet, ctx)):
        if issue.kind == "dependency-cycle":
            yield hit(issue.message, path=issue.path, line=issue.line, data={"cycle": list(issue.mt_ids)})
