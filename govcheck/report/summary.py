"""The GitHub job summary (``$GITHUB_STEP_SUMMARY``), also ``--format
summary``: a short page that fits GitHub's 1 MiB limit on any repo size.

    # govcheck: FAIL
    192 packets: 150 pass, 42 fail · 1,201 errors · 13 warnings · SPEC_CURRENT ... (v02.123)

    | Packet | Verdict | Errors | Warnings | Rules |        failing packets first
    <details><summary>WP-1-X: FAIL, 3 errors</summary>     one per failing packet, collapsed
    - `path:51` **error** spec-stale: message
    </details>

    _Left out: details of 12 packets (3,400 findings). The full report: govcheck-report.md._

Parts are added in that order while they fit ``summary_bytes`` (UTF-8);
what did not fit is counted in the last line, which names where the full
report is (``full_report``). Text from packets is HTML-escaped: a finding
that quotes ``</details>`` cannot break the page.
"""

from __future__ import annotations

import html

from govcheck.model import Finding, PacketResult, Report, Severity, Verdict
from govcheck.report import RenderOptions

_MAX_NOTES = 20
_MAX_MESSAGE = 300


def _count(findings, severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived_by)


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _finding(f: Finding) -> str:
    where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "repository")
    message = f.message if len(f.message) <= _MAX_MESSAGE else f.message[:_MAX_MESSAGE] + "…"
    waived = f" (waived by {_cell(f.waived_by)})" if f.waived_by else ""
    return f"- `{_cell(where)}` **{f.severity.value}** {_cell(f.rule)}: {_cell(message)}{waived}"


def _failing_first(packets) -> list[PacketResult]:
    # FAIL before PASS; within each, most errors first, then by id.
    return sorted(packets, key=lambda r: (r.verdict is not Verdict.FAIL, -_count(r.findings, Severity.ERROR),
                                          r.packet.id))


def _details(title: str, findings: list[Finding], reason: str = "") -> str:
    body = [f"<details><summary>{_cell(title)}</summary>", ""]
    if reason:
        body += [_cell(reason), ""]
    body += [_finding(f) for f in findings]
    body += ["", "</details>", ""]
    return "\n".join(body) + "\n"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render(report: Report, options: RenderOptions | None = None) -> str:
    opts = options or RenderOptions()
    packets = _failing_first(report.packets)
    failed = sum(1 for r in packets if r.verdict is Verdict.FAIL)
    every = [*report.repo_findings, *(f for r in packets for f in r.findings)]
    errors, warnings = _count(every, Severity.ERROR), _count(every, Severity.WARNING)
    sc = report.spec_current
    head = [
        f"# govcheck: {report.verdict.value}",
        "",
        f"{len(packets)} packet(s): {len(packets) - failed} pass, {failed} fail · {errors:,} error(s) · "
        f"{warnings:,} warning(s) · SPEC_CURRENT: "
        + (f"{_cell(sc.spec_file)} (v{sc.version})" if sc else "unresolved")
        + f" · {report.generated_at}",
        "",
    ]
    notes = list(report.notes)
    head += [f"- {_cell(n)}" for n in notes[:_MAX_NOTES]]
    if len(notes) > _MAX_NOTES:
        head.append(f"- … and {len(notes) - _MAX_NOTES} more note(s)")
    if notes:
        head.append("")
    text = "\n".join(head) + "\n"
    budget = opts.summary_bytes - 1024  # room for the closing line
    left_rows = left_details = left_findings = 0

    # (text, failing packets it details, findings it lists)
    parts: list[tuple[str, int, int]] = []
    repo_errors = [f for f in report.repo_findings if not f.waived_by]
    if repo_errors:
        parts.append((_details(f"Repository: {_count(repo_errors, Severity.ERROR)} error(s), "
                               f"{_count(repo_errors, Severity.WARNING)} warning(s)", repo_errors), 0, len(repo_errors)))
    if packets:
        table = ["| Packet | Verdict | Errors | Warnings | Rules |", "|---|---|---|---|---|"]
        rows = []
        for r in packets:
            rules = sorted({f.rule for f in r.findings if not f.waived_by and f.severity is Severity.ERROR})
            shown = ", ".join(rules[:4]) + (f" +{len(rules) - 4}" if len(rules) > 4 else "")
            rows.append(f"| {_cell(r.packet.id)} | {r.verdict.value} | {_count(r.findings, Severity.ERROR)} | "
                        f"{_count(r.findings, Severity.WARNING)} | {_cell(shown) or '-'} |")
        size = _size(text) + sum(_size(p) for p, _, _ in parts) + _size("\n".join(table)) + 2
        kept = 0
        for row in rows:
            if size + _size(row) + 1 > budget // 3:  # the table never takes more than a third
                break
            size += _size(row) + 1
            kept += 1
        left_rows = len(rows) - kept
        parts.append(("\n".join(table + rows[:kept]) + "\n\n", 0, 0))
    for r in packets:
        if r.verdict is not Verdict.FAIL:
            continue
        shown = [f for f in r.findings if not f.waived_by and f.severity in (Severity.ERROR, Severity.WARNING)]
        parts.append((_details(f"{r.packet.id}: {r.verdict.value}, {_count(r.findings, Severity.ERROR)} error(s)",
                               shown, r.reason and f"Reason: {r.reason}"), 1, len(shown)))
    used = _size(text)
    out = [text]
    skipping = False  # once one part does not fit, later ones are left out too (failures stay first)
    for body, n_packets, n_findings in parts:
        if skipping or used + _size(body) > budget:
            skipping = True
            left_details += n_packets
            left_findings += n_findings
            continue
        out.append(body)
        used += _size(body)
    left: list[str] = []
    if left_rows:
        left.append(f"{left_rows:,} table row(s)")
    if left_details:
        left.append(f"details of {left_details:,} failing packet(s) ({left_findings:,} findings)")
    where = opts.full_report or "run govcheck with --format markdown:report.md"
    if left:
        out.append(f"_Left out to stay under GitHub's summary limit: {', '.join(left)}. The full report: {_cell(where)}._\n")
    elif opts.full_report:
        out.append(f"_The full report: {_cell(opts.full_report)}._\n")
    return "".join(out)
