"""GitHub Actions workflow commands: annotations for unwaived findings,
then a one-line summary.

    ::error file=gov/.GOV/task_packets/WP-1.md,line=51,title=spec-stale::packet is anchored to v02.90 ...
    ::warning file=...,line=...,title=done-means-vague::...
    ::notice title=govcheck::1,240 more annotation(s) not shown (1,200 errors, 40 warnings) ...
    govcheck: FAIL (2 packets, 3 errors, 0 warnings)

GitHub shows about 10 annotations of each level per step and drops the
rest without saying so, in the order they were printed. So annotations
come errors first, then warnings, then notices (each in the findings' sort
order), at most ``max_annotations`` of each level, and one notice says how
many were left out and where the full report is. Paths are the findings'
repo-relative paths behind ``path_prefix``: annotations are matched to
files relative to the workspace root, not the governance repo.

Escaping follows the Actions runner: in the message ``%``, CR and LF become
``%25``, ``%0D`` and ``%0A``; property values also escape ``:`` and ``,``
(``%3A``, ``%2C``). Waived findings are left out (they do not gate), as are
findings whose severity is ``off``.
"""

from __future__ import annotations

from govcheck.model import Finding, Report, Severity
from govcheck.report import RenderOptions

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_NOUNS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, path_prefix: str = "") -> str | None:
    command = COMMANDS.get(f.severity)
    if command is None or f.waived_by:
        return None
    props: list[str] = []
    if f.path:
        props.append(f"file={escape_property(path_prefix + f.path)}")
        if f.line is not None and f.line >= 1:
            props.append(f"line={f.line}")
    props.append(f"title={escape_property(f.rule)}")
    return f"::{command} {','.join(props)}::{escape_data(f.message)}"


def _unwaived(findings, severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived_by)


def render(report: Report, options: RenderOptions | None = None) -> str:
    opts = options or RenderOptions()
    findings: list[Finding] = list(report.repo_findings)
    for r in report.packets:
        findings.extend(r.findings)
    findings.sort(key=Finding.sort_key)
    lines: list[str] = []
    dropped: dict[Severity, int] = {}
    for severity in COMMANDS:
        shown = [f for f in findings if f.severity is severity and not f.waived_by]
        # The notice that counts the rest is itself a notice: notices get
        # one slot less (at most cap-1 shown, plus the count), so it is
        # always among those GitHub shows.
        cap = opts.max_annotations - (1 if severity is Severity.INFO else 0)
        if opts.max_annotations > 0 and len(shown) > cap:
            dropped[severity] = len(shown) - cap
            shown = shown[:cap]
        lines.extend(a for a in (annotation(f, opts.path_prefix) for f in shown) if a is not None)
    if dropped:
        total = sum(dropped.values())
        parts = ", ".join(f"{n:,} {_NOUNS[s]}{'s' if n != 1 else ''}" for s, n in dropped.items())
        where = f"; the full report: {opts.full_report}" if opts.full_report else ""
        lines.append(
            f"::notice title=govcheck::{escape_data(f'{total:,} more annotation(s) not shown ({parts}): GitHub shows about {opts.max_annotations} of each level per step{where}')}"
        )
    errors = _unwaived(findings, Severity.ERROR)
    warnings = _unwaived(findings, Severity.WARNING)
    lines.append(
        f"govcheck: {report.verdict.value} ({len(report.packets)} packets, {errors} errors, {warnings} warnings)"
    )
    return "\n".join(lines) + "\n"
