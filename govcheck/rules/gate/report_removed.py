"""The ``report-removed`` rule. Its docstring is its documentation: ``govcheck explain report-removed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.errors import GovcheckError
from govcheck.model import Finding
from govcheck.parse.report_markers import appended_reports
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "report-removed",
    severity=ERROR,
    scope="repo",
    codex="CX-WP-001",
    summary="A report govcheck appended to a packet is no longer in it",
)
def report_removed(ctx: Context) -> Iterator[Finding]:
    """What it checks
    A report ``govcheck validate --append`` wrote that the packet no longer
    holds: under ``govcheck ci``, a report present (and intact) in the merge
    base's packet and missing from the change's; otherwise, the last report
    the state folder's ledger (``.govcheck/appended-reports.json``) records
    for a validated packet. report-tampered catches an edit above or inside
    a report; only this catches the last (or only) one deleted outright.

    Why
    VALIDATION_REPORTS is append-only [CX-WP-001]: a FAIL report that can be
    deleted without a trace is no record.

    How to fix
    Restore the report from git (``git log -p -- <packet>``). If the packet
    was deliberately restored to an older version, validate and append
    again (the ledger then records the new report).

    Example
    The only appended report (Verdict: FAIL) deleted from the end of a packet.
    """
    change = ctx.change_set
    for wp_id, path, count, line in getattr(change, "removed_reports", ()) if change is not None else ():
        yield hit(f"{count} report(s) that govcheck appended to {wp_id} at the merge base {change.base[:12]} "
                  f"(the first at line {line} there) are gone from the packet", path=path, line=1,
                  data={"wp_id": wp_id, "missing": count, "base_line": line})
    if not ctx.report_ledger:
        return
    for packet in sorted(ctx.packets.values(), key=lambda p: p.path):
        entry = ctx.report_ledger.get(packet.path)
        if entry is None:
            continue
        try:
            data = ctx.repo.read_bytes(packet.path)
        except GovcheckError:
            continue  # packet-unreadable says so
        if not any(r.body_sha256 == entry["body_sha256"] for r in appended_reports(data)):
            yield hit(f"the report govcheck last appended to {packet.id} (at line {entry.get('line', '?')}) is "
                      "no longer in the packet", path=packet.path, line=1,
                      data={"wp_id": packet.id, "body_sha256": entry["body_sha256"]})
