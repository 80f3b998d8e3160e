"""closed-with-open-microtasks: a packet marked finished while some of its
microtasks are not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import classify, microtasks, mt_id, readable, vocabulary
from govcheck.analysis.era import Since
from govcheck.analysis.microtasks import packet_claims_finished
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_LISTED = 20  # ids named in the message; the data lists them all


@rule(
    "closed-with-open-microtasks",
    severity=ERROR,
    summary="The packet is Done/Validated while some of its microtasks are still open",
    since=Since(why=(
        "The rule reads the MT-NNN.json microtask contracts in the packet folder, wherever they exist; a "
        "packet without them has nothing to judge.")),
)
def closed_with_open_microtasks(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet whose status says the work is finished (Done, Validated (PASS),
    Done [VALIDATED], PASSED...; not Validated (FAIL)) has no microtask
    contract whose status is an open one of the vocabulary (PENDING,
    CLAIMED, IN_PROGRESS, ...; see microtask-status-unknown for the lists
    and their options). The finding says how many are open and which.
    Microtasks whose status is outside the vocabulary are not counted as
    open (microtask-status-unknown reports them); they are mentioned.

    Why
    The packet claims more than its own plan shows: either work was closed
    without its microtasks, or the microtask contracts were never updated,
    and every later reader has to guess which.

    How to fix
    Finish the open microtasks, or record why they are not needed (mark
    them CANCELLED), or reopen the packet.

    Example
        packet.json:14: packet status is 'Done' but 2 of 5 microtasks are open: MT-004, MT-005
    """
    if packet.status is None or not packet_claims_finished(packet.status.value):
        return
    mts = readable(microtasks(packet, ctx))
    if not mts:
        return
    vocab = vocabulary(ctx)
    kinds = {mt_id(m): classify(m.status.text if m.status else None, vocab) for m in mts}
    open_ids = sorted(i for i, k in kinds.items() if k == "open")
    if not open_ids:
        return
    unknown = sorted(i for i, k in kinds.items() if k == "unknown")
    named = ", ".join(open_ids[:_LISTED]) + (f" and {len(open_ids) - _LISTED} more" if len(open_ids) > _LISTED else "")
    extra = f" ({len(unknown)} more with a status outside the vocabulary)" if unknown else ""
    yield hit(
        f"packet status is {packet.status.value!r} but {len(open_ids)} of {len(mts)} microtasks are open: {named}{extra}",
        line=packet.status.line,
        data={"status": packet.status.value, "open": open_ids, "outside_vocabulary": unknown, "microtasks": len(mts)},
    )
