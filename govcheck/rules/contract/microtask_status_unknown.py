"""microtask-status-unknown: a microtask status outside the vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import VOCABULARY_OPTIONS, classify, microtasks, mt_id, readable, vocabulary
from govcheck.analysis.era import Since
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "microtask-status-unknown",
    severity=WARNING,
    summary="A microtask's status is outside the microtask status vocabulary",
    options=VOCABULARY_OPTIONS,
    since=Since(why=(
        "The rule reads the MT-NNN.json microtask contracts in the packet folder, wherever they exist; a "
        "packet without them has nothing to judge.")),
)
def microtask_status_unknown(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each ``MT-NNN.json`` of the packet states its status
    (``lifecycle.status``, or ``status`` from older generators) with a word
    of the vocabulary: finished (default COMPLETED, COMPLETE, DONE,
    VALIDATED, VALIDATED_V3, CANCELLED) or not yet (default PENDING,
    CLAIMED, IN_PROGRESS, ACTIVE, READY_FOR_VALIDATION[_PHASE2], BLOCKED,
    BLOCKED_ON_DEPENDENCY, NEEDS_EXTERNAL_RESOURCE, FAIL_NEEDS_REWORK);
    case does not matter. A microtask without a status is not reported (the
    reference's board shows it as PENDING). The options ``done_statuses``
    and ``open_statuses`` replace the two lists; closed-with-open-microtasks
    uses the same lists.

    Why
    The reference's microtask board shows an unknown status as PENDING, so
    a microtask marked ``DONE (revision 3)`` looks unstarted there, and no
    tool can tell whether it is finished.

    How to fix
    Use a status of the vocabulary (``DONE`` and a note elsewhere, not
    ``DONE (revision 3)``), or, when the project has adopted a new status,
    add it to ``done_statuses`` or ``open_statuses`` in govcheck.yaml.

    Example
        MT-004.json:9: MT-004: status 'SHIPPED' (lifecycle.status) is outside the microtask vocabulary
    """
    vocab = vocabulary(ctx)
    for mt in readable(microtasks(packet, ctx)):
        if mt.status is not None and classify(mt.status.text, vocab) == "unknown":
            yield hit(
                f"{mt_id(mt)}: status {mt.status.text!r} ({mt.status.field}) is outside the microtask vocabulary",
                path=mt.path, line=mt.status.line,
                data={"microtask": mt_id(mt), "status": mt.status.text, "field": mt.status.field},
            )
