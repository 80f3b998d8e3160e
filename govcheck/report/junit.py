"""JUnit XML report, for CI systems that show test results (GitLab, Jenkins,
Azure Pipelines, GitHub test-report actions).

Shape:

    <testsuites name="govcheck" tests= failures= errors="0">
      <testsuite name="WP-ID" tests= failures= errors="0" skipped="0">
        <testcase classname="WP-ID" name="RULE-ID">     one per rule with findings
          <failure type="RULE-ID" message="...">path:line: message ...</failure>
          <system-out>warnings, info and waived findings</system-out>
        </testcase>
        <testcase classname="WP-ID" name="verdict">     always
          <failure .../>                                when the packet FAILs
          <system-out>TEST_PLAN command evidence</system-out>
        </testcase>
      </testsuite>
      <testsuite name="repository" ...>                 only with repo findings
    </testsuites>

A rule's testcase fails when any of its findings is an unwaived error.
Output is deterministic: suites are sorted by packet id, testcases by rule
id, findings by their sort key; the only time in it is report.generated_at.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterable, Sequence

from govcheck.model import CommandResult, Finding, PacketResult, Report, Severity, Verdict

REPOSITORY_SUITE = "repository"
VERDICT_CASE = "verdict"

# Characters XML 1.0 does not allow at all (not even as character
# references): C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text safe to put in an XML 1.0 document (ElementTree escapes the rest)."""
    return _ILLEGAL_XML.sub("", "" if value is None else str(value))


def _location(f: Finding) -> str:
    if f.path and f.line:
        return f"{f.path}:{f.line}"
    return f.path or "-"


def _finding_line(f: Finding, *, with_severity: bool) -> str:
    sev = f"[{f.severity.value}] " if with_severity else ""
    waived = f" (waived by {f.waived_by})" if f.waived_by else ""
    return f"{sev}{_location(f)}: {f.message}{waived}"


def _is_failure(f: Finding) -> bool:
    return f.severity is Severity.ERROR and not f.waived_by


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def _sub(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in (attrs or {}).items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def _rule_case(suite: ET.Element, classname: str, rule_id: str, findings: Sequence[Finding],
               summaries: dict[str, str]) -> bool:
    """One testcase for a rule's findings; returns True when it fails."""
    case = _sub(suite, "testcase", {"classname": classname, "name": rule_id})
    errors = [f for f in findings if _is_failure(f)]
    others = [f for f in findings if not _is_failure(f)]
    if errors:
        summary = f": {summaries[rule_id]}" if rule_id in summaries else ""
        message = f"{len(errors)} error finding(s){summary}"
        text = "\n".join(_finding_line(f, with_severity=False) for f in errors)
        _sub(case, "failure", {"type": rule_id, "message": message}, text + "\n")
    if others:
        _sub(case, "system-out", text="\n".join(_finding_line(f, with_severity=True) for f in others) + "\n")
    return bool(errors)


def _command_evidence(commands: Sequence[CommandResult]) -> list[str]:
    if not commands:
        return ["TEST_PLAN: no commands."]
    out = [f"TEST_PLAN: {len(commands)} command(s)"]
    for n, c in enumerate(commands, 1):
        out.append(f"[{n}] command (line {c.line}): {c.command}")
        status = c.status + (" (cached)" if c.cached else "")
        out.append(f"    status: {status}")
        out.append(f"    exit code: {'-' if c.exit_code is None else c.exit_code}")
        if c.duration_s is not None:
            out.append(f"    duration: {c.duration_s:.3f}s")
        out.append(f"    log: {c.log_path or '-'}")
        out.append(f"    log sha256: {c.log_sha256 or '-'}")
        if c.truncated_bytes:
            out.append(f"    log truncated: {c.truncated_bytes} byte(s) dropped")
        if c.reason:
            out.append(f"    reason: {c.reason}")
        if c.proof_lines:
            out.append("    proof lines:")
            out.extend(f"      {p}" for p in c.proof_lines)
        else:
            out.append("    proof lines: -")
    return out


def _verdict_case(suite: ET.Element, result: PacketResult, report: Report) -> bool:
    p = result.packet
    case = _sub(suite, "testcase", {"classname": p.id, "name": VERDICT_CASE})
    failed = result.verdict is Verdict.FAIL
    if failed:
        errors = [f for f in result.findings if _is_failure(f)]
        rules = sorted({f.rule for f in errors})
        message = f"packet verdict FAIL: {len(errors)} unwaived error finding(s)"
        if rules:
            message += f" ({', '.join(rules)})"
        text = "\n".join(f"{f.rule} {_finding_line(f, with_severity=False)}" for f in _sorted(errors))
        _sub(case, "failure", {"type": "verdict", "message": message}, text + "\n" if text else None)
    out = [
        f"Packet: {p.id} ({p.path})",
        f"Verdict: {result.verdict.value}",
        f"Spec: v{result.spec_version}" if result.spec_version else "Spec: packet names no spec version",
    ]
    if report.spec_current is not None:
        sc = report.spec_current
        out.append(f"SPEC_CURRENT: {sc.path} -> {sc.spec_file} (v{sc.version})")
    out += _command_evidence(result.commands)
    if p.evidence:
        out.append(f"Recorded evidence in the packet: {len(p.evidence)} entr{'y' if len(p.evidence) == 1 else 'ies'}")
        for e in p.evidence:
            out.append(f"  - line {e.line}: {e.command}")
            for label, value in (
                ("exit code", e.exit_code),
                ("log", e.log_path),
                ("log sha256", e.log_sha256),
                ("proof lines", e.proof_lines),
            ):
                if value:
                    out.append(f"    {label}: {value}")
    _sub(case, "system-out", text="\n".join(out) + "\n")
    return failed


def _by_rule(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in _sorted(findings):
        groups.setdefault(f.rule, []).append(f)
    return {rule: groups[rule] for rule in sorted(groups)}


def _timestamp(generated_at: str) -> str:
    """JUnit's XSD wants ``YYYY-MM-DDTHH:MM:SS`` without a zone; it is UTC."""
    return generated_at[:-1] if generated_at.endswith("Z") else generated_at


def _suite(root: ET.Element, name: str, timestamp: str) -> ET.Element:
    # Counts are filled in once the testcases are known; the attribute order
    # stays the order given here.
    return _sub(
        root,
        "testsuite",
        {"name": name, "tests": "0", "failures": "0", "errors": "0", "skipped": "0", "timestamp": timestamp},
    )


def _set_counts(suite: ET.Element, tests: int, failures: int) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))


def build(report: Report) -> ET.Element:
    root = ET.Element("testsuites", {"name": "govcheck", "tests": "0", "failures": "0", "errors": "0"})
    stamp = _timestamp(report.generated_at)
    summaries = {r.id: r.summary for r in report.rules}
    total_tests = total_failures = 0

    if report.repo_findings:
        suite = _suite(root, REPOSITORY_SUITE, stamp)
        tests = failures = 0
        for rule_id, findings in _by_rule(report.repo_findings).items():
            tests += 1
            failures += _rule_case(suite, REPOSITORY_SUITE, rule_id, findings, summaries)
        _set_counts(suite, tests, failures)
        total_tests += tests
        total_failures += failures

    for result in sorted(report.packets, key=lambda r: (r.packet.id, r.packet.path)):
        pid = result.packet.id
        suite = _suite(root, pid, stamp)
        tests = failures = 0
        for rule_id, findings in _by_rule(result.findings).items():
            tests += 1
            failures += _rule_case(suite, pid, rule_id, findings, summaries)
        tests += 1
        failures += _verdict_case(suite, result, report)
        _set_counts(suite, tests, failures)
        total_tests += tests
        total_failures += failures

    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    return root


def render(report: Report) -> str:
    root = build(report)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
