"""The ``test-plan-failed`` rule. Its docstring is its documentation: ``govcheck explain test-plan-failed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.test_plan import FAILED_STATUSES
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
