"""SARIF 2.1.0 report, for code-scanning views (GitHub code scanning, IDE
SARIF viewers, Azure DevOps).

One run. ``tool.driver.rules`` lists every registered rule sorted by id, so
``ruleIndex`` is stable across reports; ``results`` holds one result per
finding (repository findings first, then packets, in the findings' sort
order). Paths are repo-relative and resolved against ``%SRCROOT%``, which
``originalUriBaseIds`` maps to the repo root. Waived findings stay in the
log with an ``inSource`` suppression, so viewers can show them as
suppressed instead of losing them.

``partialFingerprints["govcheck/v1"]`` is the sha256 of rule id, packet id
and the message with its digits removed (joined by newlines), so a finding
keeps its identity when line numbers or version numbers in its text move.

The output is deterministic: ``json.dumps(sort_keys=True, indent=2)`` and
no clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from govcheck.model import Finding, Report, RuleInfo, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/govcheck/govcheck"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "govcheck/v1"

LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.OFF: "none",
}

_SECTION_HEADS = ("What it checks", "Why", "How to fix", "Example")


def camel_case(rule_id: str) -> str:
    """``spec-stale`` -> ``SpecStale``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s]+", rule_id) if part)


def fingerprint(f: Finding) -> str:
    key = "\n".join((f.rule, f.packet_id or "", re.sub(r"\d", "", f.message)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _first_paragraph(explanation: str, fallback: str) -> str:
    """The "What it checks" paragraph on one line (or the first paragraph)."""
    paragraphs = [p.strip() for p in explanation.split("\n\n") if p.strip()]
    for para in paragraphs:
        lines = para.splitlines()
        if lines and lines[0].strip() in _SECTION_HEADS:
            lines = lines[1:]
        text = " ".join(" ".join(lines).split())
        if text:
            return text
    return fallback


def _help_markdown(spec: RuleInfo) -> str:
    out = [f"**{spec.id}**: {spec.summary}", ""]
    if spec.codex:
        out += [f"Codex: {spec.codex}", ""]
    for line in spec.explanation.splitlines():
        out.append(f"### {line.strip()}" if line.strip() in _SECTION_HEADS else line)
    return "\n".join(out).rstrip() + "\n"


def rule_descriptor(spec: RuleInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": [spec.family]}
    if spec.codex:
        properties["codex"] = spec.codex
    return {
        "id": spec.id,
        "name": camel_case(spec.id),
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": _first_paragraph(spec.explanation, spec.summary)},
        "help": {"text": spec.explanation, "markdown": _help_markdown(spec)},
        "defaultConfiguration": {"level": LEVELS.get(spec.severity, "warning")},
        "properties": properties,
    }


def _uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId) for a finding path: repo-relative POSIX under
    %SRCROOT%, or an absolute file URI for a path outside the repo."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix, safe="/"), None
    if PureWindowsPath(path).drive:
        return "file:///" + quote(posix, safe="/:"), None
    while posix.startswith("./"):
        posix = posix[2:]
    return quote(posix, safe="/"), SRCROOT


def _root_uri(repo: str) -> str:
    posix = repo.replace("\\", "/")
    if PureWindowsPath(repo).drive and not posix.startswith("/"):
        posix = "/" + posix
    uri = "file://" + quote(posix, safe="/:")
    return uri if uri.endswith("/") else uri + "/"


def result_dict(f: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if f.rule in rule_index:
        res["ruleIndex"] = rule_index[f.rule]
    if f.path:
        uri, base = _uri(f.path)
        artifact: dict[str, Any] = {"uri": uri}
        if base:
            artifact["uriBaseId"] = base
        res["locations"] = [
            {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": max(1, f.line or 1)}}}
        ]
    if f.waived_by:
        res["suppressions"] = [{"kind": "inSource", "justification": f"waived by {f.waived_by}"}]
    properties: dict[str, Any] = {}
    if f.packet_id:
        properties["packet"] = f.packet_id
    if f.codex:
        properties["codex"] = f.codex
    if properties:
        res["properties"] = properties
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    specs = list(report.rules)  # sorted by id
    rule_index = {spec.id: n for n, spec in enumerate(specs)}
    findings: list[Finding] = list(report.repo_findings)
    for r in report.packets:
        findings.extend(f if f.packet_id else f.with_(packet_id=r.packet.id) for f in r.findings)
    findings.sort(key=Finding.sort_key)
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govcheck",
                        "version": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(s) for s in specs],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(report.repo)}},
                "results": [result_dict(f, rule_index) for f in findings],
                "properties": {"verdict": report.verdict.value, "generatedAt": report.generated_at},
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(sarif_dict(report), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
