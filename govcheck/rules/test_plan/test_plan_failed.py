"""TEST_PLAN outcomes: the commands the runner executed for this packet."""

from __future__ import annotations

from typing import Iterator

from govcheck.engine.context import Context
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

FAILED_STATUSES = ("failed", "timeout", "refused")


@rule(
    "test-plan-failed",
    severity=ERROR,
    codex="CX-573",
    summary="A TEST_PLAN command failed, timed out, or was refused",
)
def test_plan_failed(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every TEST_PLAN command govcheck ran for the packet exited 0. A command
    that failed, ran past its timeout, or was refused (by ``run.allow``, or
    because a template placeholder could not be filled) is reported with
    its exit code and log path. Nothing is reported under ``--no-run``.

    Why
    "Tests: not run in this pass" is the weakest line of a hand-written
    report; the packet's own test plan is the cheapest evidence there is.

    How to fix
    Read the log named in the finding, fix the code or the command, re-run.

    Example
    ``cargo test --manifest-path src/backend/Cargo.toml`` exits 101:
    ``test-plan-failed: exit 101, log .govcheck/logs/WP-1-X/01-cargo-test.log``.
    """
    for result in ctx.commands.get(packet.id, ()):
        if result.status not in FAILED_STATUSES:
            continue
        detail = {
            "failed": f"exit {result.exit_code}",
            "timeout": result.reason or "timed out",
            "refused": f"refused: {result.reason}",
        }[result.status]
        where = f", log {result.log_path}" if result.log_path else ""
        yield hit(
            f"`{result.command[:120]}` {detail}{where}",
            line=result.line,
            data={
                "command": result.command,
                "status": result.status,
                "exit_code": result.exit_code,
                "log_path": result.log_path,
                "reason": result.reason,
            },
        )


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
