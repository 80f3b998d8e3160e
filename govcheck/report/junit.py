"""JUnit XML report, for CI systems that show test results (GitLab, Jenkins,
Azure Pipelines, GitHub test-report actions).

Shape (valid against both the strict Ant JUnit schema and Jenkins' schema,
tests/data/*.xsd):

    <testsuites>
      <testsuite name="repository" package="govcheck" id="0" tests="1" failures= errors= time= timestamp= hostname=>
        <properties/>
        <testcase classname="govcheck.repository" name="repository" time="0.000"/>   repo-level checks, always
        <system-out/><system-err/>
      </testsuite>
      <testsuite name="WP-ID" package="govcheck" id="N" tests="1" ...>   one per packet, sorted by id
        <properties>
          <property name="file" value=".GOV/task_packets/WP-ID.md"/>
          <property name="line" value="51"/>                 first unwaived error (else 1)
          <property name="verdict" value="FAIL"/> ...
        </properties>
        <testcase classname="govcheck.packets" name="WP-ID" time="12.300">
          <failure type="RULE-ID" message="...">path:line: [rule] message ...</failure>
          or <error type="infrastructure" ...>     a command that could not start (exit 126/127)
        </testcase>
        <system-out>warnings, info, waived findings, TEST_PLAN evidence</system-out>
        <system-err/>
      </testsuite>
    </testsuites>

One testcase per packet, so the number of tests is the number of packets
however many findings fail (a rule-per-testcase layout made the count move
with the failures). The strict Ant schema allows a single <failure> or
<error> per testcase and no file/line attributes, so the findings are lines
of the failure's text (``path:line: [rule] message``) and the packet's file
and first failing line are suite properties. A command that could not be
started at all (exit 126 or 127: the tool is missing or not executable) is
an infrastructure problem, not a packet's fault: the testcase is an
<error>, listed before the findings. ``time`` is the sum of the packet's
command durations (0 when nothing ran).
Output is deterministic: suites are sorted by packet id, findings by their
sort key; the only clock in it is report.generated_at.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterable, Sequence

from govcheck.model import CommandResult, Finding, PacketResult, Report, Severity, Verdict

REPOSITORY_SUITE = "repository"

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


# Exit codes of a command bash could not start: 127 command not found,
# 126 found but not executable.
INFRASTRUCTURE_EXITS = (126, 127)


def _infrastructure(commands: Sequence[CommandResult]) -> list[CommandResult]:
    return [c for c in commands if c.status == "failed" and c.exit_code in INFRASTRUCTURE_EXITS]


def _duration(commands: Sequence[CommandResult]) -> str:
    return f"{sum(c.duration_s or 0.0 for c in commands):.3f}"


def _properties(suite: ET.Element, props: Sequence[tuple[str, str]]) -> None:
    el = _sub(suite, "properties")
    for name, value in props:
        _sub(el, "property", {"name": name, "value": value})


def _packet_suite(root: ET.Element, n: int, result: PacketResult, report: Report, stamp: str) -> tuple[int, int]:
    """The suite of one packet; returns (failures, errors)."""
    p = result.packet
    errors = _sorted(f for f in result.findings if _is_failure(f))
    broken = _infrastructure(result.commands)
    time = _duration(result.commands)
    suite = _suite(root, p.id, n, stamp, time)
    first = errors[0] if errors else None
    _properties(suite, [
        ("file", first.path if first and first.path else p.path),
        ("line", str(first.line if first and first.line else 1)),
        ("verdict", result.verdict.value),
        ("spec_version", result.spec_version or ""),
    ])
    case = _sub(suite, "testcase", {"classname": "govcheck.packets", "name": p.id, "time": time})
    failures = infra = 0
    lines = [f"{_location(f)}: [{f.rule}] {f.message}" for f in errors]
    if broken:
        infra = 1
        message = f"{len(broken)} TEST_PLAN command(s) could not start (exit 126/127: tool missing or not executable)"
        text = [f"line {c.line}: exit {c.exit_code}: {c.command}" for c in broken] + lines
        _sub(case, "error", {"type": "infrastructure", "message": message}, "\n".join(text) + "\n")
    elif result.verdict is Verdict.FAIL:
        failures = 1
        rules = sorted({f.rule for f in errors})
        message = f"{result.verdict.value}: {result.reason}" if result.reason else "packet verdict FAIL"
        if first is not None:
            message += f" (first: {_location(first)})"
        _sub(case, "failure", {"type": rules[0] if len(rules) == 1 else "verdict", "message": message},
             "\n".join(lines) + "\n" if lines else None)
    others = [f for f in _sorted(result.findings) if not _is_failure(f)]
    out = _evidence(result, report)
    if others:
        out += ["Other findings (do not fail):"] + [f"  {_finding_line(f, with_severity=True)} [{f.rule}]" for f in others]
    _sub(suite, "system-out", text="\n".join(out) + "\n")
    _sub(suite, "system-err", text="")
    _set_counts(suite, 1, failures, infra)
    return failures, infra


def _evidence(result: PacketResult, report: Report) -> list[str]:
    p = result.packet
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
    return out


def _timestamp(generated_at: str) -> str:
    """JUnit's XSD wants ``YYYY-MM-DDTHH:MM:SS`` without a zone; it is UTC."""
    return generated_at[:-1] if generated_at.endswith("Z") else generated_at


def _suite(root: ET.Element, name: str, n: int, timestamp: str, time: str) -> ET.Element:
    # Counts are filled in once the testcase is known; the attribute order
    # stays the order given here. package, id and hostname are required by
    # the strict Ant schema; the output names no real host (reproducible).
    return _sub(
        root,
        "testsuite",
        {"name": name, "package": "govcheck", "id": str(n), "tests": "0", "failures": "0", "errors": "0",
         "time": time, "timestamp": timestamp, "hostname": "localhost"},
    )


def _set_counts(suite: ET.Element, tests: int, failures: int, errors: int) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))


def _repository_suite(root: ET.Element, report: Report, stamp: str) -> None:
    suite = _suite(root, REPOSITORY_SUITE, 0, stamp, "0.000")
    errors = _sorted(f for f in report.repo_findings if _is_failure(f))
    first = errors[0] if errors else None
    _properties(suite, [("file", first.path or "") if first else ("file", ""),
                        ("line", str(first.line or 1) if first else "1")])
    case = _sub(suite, "testcase", {"classname": "govcheck.repository", "name": REPOSITORY_SUITE, "time": "0.000"})
    if errors:
        rules = sorted({f.rule for f in errors})
        _sub(case, "failure", {"type": rules[0] if len(rules) == 1 else "repository",
                               "message": f"{len(errors)} repository-level error finding(s): {', '.join(rules)}"},
             "\n".join(f"{_location(f)}: [{f.rule}] {f.message}" for f in errors) + "\n")
    others = [f for f in _sorted(report.repo_findings) if not _is_failure(f)]
    _sub(suite, "system-out", text="\n".join(f"{_finding_line(f, with_severity=True)} [{f.rule}]" for f in others) + "\n" if others else "")
    _sub(suite, "system-err", text="")
    _set_counts(suite, 1, 1 if errors else 0, 0)


def build(report: Report) -> ET.Element:
    root = ET.Element("testsuites")
    stamp = _timestamp(report.generated_at)
    _repository_suite(root, report, stamp)
    for n, result in enumerate(sorted(report.packets, key=lambda r: (r.packet.id, r.packet.path)), 1):
        _packet_suite(root, n, result, report, stamp)
    return root


def render(report: Report, options: object = None) -> str:
    # options: RenderOptions, unused: JUnit output is never capped.
    root = build(report)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
