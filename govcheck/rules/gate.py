"""Rules about the gate itself under ``govcheck ci``: a change that edits
what judges it, or removes the record of earlier verdicts."""

from __future__ import annotations

from typing import Iterator

from govcheck.engine.context import Context
from govcheck.model import Finding
from govcheck.rules import ERROR, WARNING, hit, rule


@rule(
    "gate-changed",
    severity=ERROR,
    scope="repo",
    summary="The change under review edits the config or baseline that judges it (govcheck ci)",
)
def gate_changed(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Under ``govcheck ci``: the change's ``govcheck.yaml`` (or
    ``[tool.govcheck]``) or its baseline file differs from the merge
    base's. ci judges every change with the merge base's config and
    baseline, so the edit is not applied; this finding asks a reviewer to
    look at it. Outside ``ci`` nothing is reported.

    Why
    The pull request is what the gate judges: if it could switch a rule
    off, or record its own new findings in the baseline, it would pass
    itself. A regenerated baseline in a change that also adds a failing
    packet is exactly that.

    How to fix
    Land the config or baseline change in a pull request of its own, where
    a reviewer sees it alone; or set ``ci: {allow_config_changes: true}``
    in the config of the target branch, which reports the change as a
    warning instead.

    Example
    A pull request that adds ``WP-1-New`` with an error and commits a
    ``.govcheck-baseline.json`` listing that error.
    """
    change = ctx.change_set
    if change is None:
        return
    for gc in getattr(change, "gate_changes", ()):
        what = {"config": "configuration", "baseline": "baseline"}.get(gc.kind, gc.kind)
        if gc.base_sha256 is None:
            how = "adds"
        elif gc.head_sha256 is None:
            how = "removes"
        else:
            how = "changes"
        detail = f" ({gc.detail})" if gc.detail else ""
        verdict = ("allowed by the base config's ci.allow_config_changes" if gc.allowed
                   else "needs review: land it on its own, or allow it in the base config (ci.allow_config_changes)")
        yield hit(
            f"the change {how} the {what} {gc.path}; it is judged with the merge base's {what} instead, "
            f"not its own{detail}; {verdict}",
            path=gc.path, line=1, severity=WARNING if gc.allowed else None,
            data={"kind": gc.kind, "path": gc.path, "base_sha256": gc.base_sha256,
                  "head_sha256": gc.head_sha256, "allowed": gc.allowed},
        )


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
    from govcheck.errors import GovcheckError
    from govcheck.parse.report_markers import appended_reports

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
