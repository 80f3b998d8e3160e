"""GitHub Actions workflow commands: one annotation per unwaived finding,
then a one-line summary.

    ::error file=.GOV/task_packets/WP-1.md,line=51,title=spec-stale::packet is anchored to v02.90 ...
    ::warning file=...,line=...,title=done-means-vague::...
    ::notice file=...,line=...,title=packet-superseded::...
    govcheck: FAIL (2 packets, 3 errors, 0 warnings)

Escaping follows the Actions runner: in the message ``%``, CR and LF become
``%25``, ``%0D`` and ``%0A``; property values also escape ``:`` and ``,``
(``%3A``, ``%2C``). Waived findings are left out (they do not gate), as are
findings whose severity is ``off``. Lines come in the findings' sort order
(repository findings first), so the output is deterministic.
"""

from __future__ import annotations

from govcheck.model import Finding, Report, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str | None:
    command = COMMANDS.get(f.severity)
    if command is None or f.waived_by:
        return None
    props: list[str] = []
    if f.path:
        props.append(f"file={escape_property(f.path)}")
        if f.line is not None and f.line >= 1:
            props.append(f"line={f.line}")
    props.append(f"title={escape_property(f.rule)}")
    return f"::{command} {','.join(props)}::{escape_data(f.message)}"


def _unwaived(findings, severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived_by)


def render(report: Report) -> str:
    findings: list[Finding] = list(report.repo_findings)
    for r in report.packets:
        findings.extend(r.findings)
    findings.sort(key=Finding.sort_key)
    lines = [line for line in (annotation(f) for f in findings) if line is not None]
    errors = _unwaived(findings, Severity.ERROR)
    warnings = _unwaived(findings, Severity.WARNING)
    lines.append(
        f"govcheck: {report.verdict.value} ({len(report.packets)} packets, {errors} errors, {warnings} warnings)"
    )
    return "\n".join(lines) + "\n"
