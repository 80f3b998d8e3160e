"""One line per finding, for a terminal or an editor's problem matcher:

    .GOV/task_packets/WP-1.md:51: [error] spec-stale packet is anchored to v02.90 ...
    Found 3 errors, 1 warning in 2 packets (1 fail). FAIL
    Found 1 error, 0 warnings in 2 packets (0 fail, 1 outdated). OUTDATED

Unwaived findings only (repository findings first, then packets, in sort
order); a message's line breaks are folded so a line is a finding. With
``--statistics``, a table of counts per rule follows.
"""

from __future__ import annotations

from govcheck.model import Finding, Report, Severity, Verdict
from govcheck.report import RenderOptions


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def line(f: Finding) -> str:
    where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "repository")
    message = " ".join(f.message.split())
    return f"{where}: [{f.severity.value}] {f.rule} {message}"


def statistics(findings: list[Finding]) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        counts[(f.rule, f.severity.value)] = counts.get((f.rule, f.severity.value), 0) + 1
    if not counts:
        return []
    width = max(len(f"{n:,}") for n in counts.values())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [f"{n:>{width},}  {sev:<7}  {rule}" for (rule, sev), n in ordered]


def unwaived(report: Report) -> list[Finding]:
    findings = [f for f in report.repo_findings if not f.waived_by and f.severity is not Severity.OFF]
    for r in report.packets:
        findings.extend(f for f in r.findings if not f.waived_by and f.severity is not Severity.OFF)
    return findings


def render(report: Report, options: RenderOptions | None = None) -> str:
    opts = options or RenderOptions()
    findings = unwaived(report)
    out = [line(f) for f in findings]
    if opts.statistics:
        stats = statistics(findings)
        if stats:
            out += [""] + stats
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    failed = sum(1 for r in report.packets if r.verdict is Verdict.FAIL)
    outdated = sum(1 for r in report.packets if r.verdict is Verdict.OUTDATED)
    waived = sum(1 for r in report.packets for f in r.findings if f.waived_by) + sum(
        1 for f in report.repo_findings if f.waived_by)
    extra = f", {outdated:,} outdated" if outdated else ""
    extra += f", {_plural(waived, 'waived finding')} not shown" if waived else ""
    out.append(f"Found {_plural(errors, 'error')}, {_plural(warnings, 'warning')} in "
               f"{_plural(len(report.packets), 'packet')} ({failed:,} fail{extra}). {report.verdict.value}")
    return "\n".join(out) + "\n"
