"""The ``status-unproven`` rule. Its docstring is its documentation: ``govcheck explain status-unproven``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.test_plan import FAILED_STATUSES
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "status-unproven",
    severity=ERROR,
    codex="CX-573",
    summary="The packet claims Done or Validated but its TEST_PLAN does not pass now",
)
def status_unproven(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet whose status says Done or Validated had its TEST_PLAN run by
    govcheck at the current state of the repo, and every command passed.
    A failing, timed-out or refused command under such a status is a
    phantom completion: the board says finished, the code says otherwise.
    Nothing is reported under ``--no-run``, for packets not yet Done, or
    for ``Done (Historical)`` packets (a closed record, not a claim about
    the code as it is now).

    Why
    Hand validation reads the packet's claim and its pasted evidence; it
    rarely re-runs the tests at HEAD. Code drifts after a packet closes.

    How to fix
    Either fix what broke (the log in the finding says what), or move the
    packet's status back to In Progress until it passes again.

    Example
    ``**Status:** Done [VALIDATED]`` while ``cargo test`` exits 101 now:
    ``status-unproven: status 'Done [VALIDATED]' but 1 of 1 TEST_PLAN command(s) did not pass``.
    """

    # "Done (Historical)" declares a closed record, not a claim about HEAD.
    if not ctx.ran_commands or packet.status_norm not in ("done", "validated"):
        return
    results = ctx.commands.get(packet.id, ())
    bad = [r for r in results if r.status in FAILED_STATUSES]
    if not bad:
        return
    first = bad[0]
    yield hit(
        f"status '{packet.status.value}' but {len(bad)} of {len(results)} TEST_PLAN command(s) did not pass "
        f"at the current state of the repo (first: `{first.command[:80]}` {first.status})",
        line=packet.status.line,
        data={"status": packet.status.value, "failed": [r.command for r in bad]},
    )
