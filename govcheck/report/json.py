"""The JSON report (schemas/report.schema.json): the same content as the
Markdown report, for machines. Keys are sorted and lists keep the report's
stable order, so the same inputs give byte-identical output."""

from __future__ import annotations

import json
from typing import Any

from govcheck.model import CommandResult, Finding, PacketResult, Report, Severity, Verdict, to_jsonable

SCHEMA_ID = "govcheck.report@1"


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "codex": f.codex,
        "waived_by": f.waived_by,
        "data": to_jsonable(dict(f.data)),
    }


def command_dict(c: CommandResult) -> dict[str, Any]:
    return {
        "command": c.command,
        "line": c.line,
        "status": c.status,
        "exit_code": c.exit_code,
        "duration_s": None if c.duration_s is None else round(c.duration_s, 3),
        "log_path": c.log_path,
        "log_sha256": c.log_sha256,
        "log_size": c.log_size,
        "truncated_bytes": c.truncated_bytes,
        "proof_lines": list(c.proof_lines),
        "reason": c.reason,
        "cached": c.cached,
    }


def _count(findings, severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived_by)


def packet_dict(r: PacketResult) -> dict[str, Any]:
    p = r.packet
    return {
        "id": p.id,
        "path": p.path,
        "sha256": p.sha256,
        "generation": p.generation,
        "status": p.status.value if p.status else None,
        "risk_tier": p.risk_tier.value if p.risk_tier else None,
        "verdict": r.verdict.value,
        "spec_version": r.spec_version,
        "spec_basis": None if r.spec_basis is None else {"kind": r.spec_basis, "line": r.spec_basis_line},
        "counts": {
            "error": _count(r.findings, Severity.ERROR),
            "warning": _count(r.findings, Severity.WARNING),
            "info": _count(r.findings, Severity.INFO),
            "waived": sum(1 for f in r.findings if f.waived_by),
        },
        "findings": [finding_dict(f) for f in r.findings],
        "criteria": [
            {"text": c.text, "line": c.line, "status": c.status, "evidence": list(c.evidence), "note": c.note}
            for c in r.criteria
        ],
        "commands": [command_dict(c) for c in r.commands],
        "superseded": list(r.superseded),
    }


def report_dict(report: Report) -> dict[str, Any]:
    sc = report.spec_current
    failed = sum(1 for r in report.packets if r.verdict is Verdict.FAIL)
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "govcheck", "version": report.tool_version},
        "generated_at": report.generated_at,
        "repo": report.repo,
        "verdict": report.verdict.value,
        "spec_current": None
        if sc is None
        else {
            "path": sc.path,
            "spec_file": sc.spec_file,
            "version": sc.version,
            "form": sc.form,
            "bundle": sc.bundle,
            "codex": sc.codex,
        },
        "summary": {"packets": len(report.packets), "passed": len(report.packets) - failed, "failed": failed},
        "repo_findings": [finding_dict(f) for f in report.repo_findings],
        "packets": [packet_dict(r) for r in report.packets],
        "receipt": to_jsonable(report.receipt) if report.receipt else None,
        "notes": list(report.notes),
    }


def render(report: Report, options: object = None) -> str:
    # options: RenderOptions, unused: the JSON report is always whole.
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
