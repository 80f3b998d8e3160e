"""The ``report-tampered`` rule. Its docstring is its documentation: ``govcheck explain report-tampered``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.parse.report_markers import appended_reports
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "report-tampered",
    severity=ERROR,
    codex="CX-WP-001",
    summary="A report govcheck appended was edited or removed, or text above it changed",
)
def report_tampered(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every report ``govcheck validate --append`` wrote into the packet carries
    the sha256 of the packet bytes before it and of its own text. Both are
    recomputed: a mismatch means an earlier report (or the packet above it)
    was edited, or a report between two others was removed.

    Why
    VALIDATION_REPORTS is append-only [CX-WP-001]: a verdict that can be
    rewritten silently is no record at all.

    How to fix
    Restore the packet from git (``git log -p -- <packet>`` shows the
    edit), then append a new report instead of editing an old one.

    Example
    A FAIL verdict changed to PASS by hand in the first appended report.
    """
    try:
        data = ctx.repo.read_bytes(packet.path)
    except (OSError, GovcheckError):  # unreadable: packet-unreadable says so
        return
    if b"govcheck:report" not in data:
        return
    for rep in appended_reports(data):
        if not rep.prior_ok:
            yield hit(
                "the packet text before this govcheck report changed after the report was appended "
                "(an earlier report or packet text was edited or removed)",
                line=rep.line, data={"check": "prior", "expected": rep.prior_sha256},
            )
        if not rep.body_ok:
            yield hit("this govcheck report was edited after it was appended", line=rep.line,
                      data={"check": "body", "expected": rep.body_sha256})
