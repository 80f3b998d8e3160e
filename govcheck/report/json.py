"""The JSON report (schemas/report.schema.json): the same content as the
Markdown report, for machines. Keys are sorted and lists keep the report's
stable order, so the same inputs give byte-identical output.

It carries everything the other renderers draw on (a packet's verdict
reason and deciding rules, the evidence recorded in it), so ``decode``
turns it back into a Report that renders as the original did: ``govcheck
merge`` joins the JSON reports of ``--shard`` runs that way. What no
renderer shows (a field's source line, the parsed packet's structure) is
not kept. The rule catalogue is not in it either: merge takes it from the
installed govcheck, whose version must match the report's."""

from __future__ import annotations

import json
from typing import Any, Sequence

from govcheck.model import (
    BoardEntry,
    CommandResult,
    CriterionStatus,
    EvidenceEntry,
    Field,
    Finding,
    Packet,
    PacketResult,
    Receipt,
    Report,
    RuleInfo,
    Severity,
    ShardInfo,
    SpecCurrent,
    SpecOutlineEntry,
    Verdict,
    to_jsonable,
)

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
        "form": p.form,
        "title": p.title,
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
        "reason": r.reason,
        "deciding_rules": list(r.deciding_rules),
        "anchored_sections": list(r.anchors),
        "evidence": [to_jsonable(e) for e in p.evidence],
    }


def report_dict(report: Report) -> dict[str, Any]:
    sc = report.spec_current
    counts = {v: sum(1 for r in report.packets if r.verdict is v) for v in Verdict}
    doc = {
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
        "summary": {"packets": len(report.packets), "passed": counts[Verdict.PASS], "failed": counts[Verdict.FAIL],
                    "outdated": counts[Verdict.OUTDATED]},
        "repo_findings": [finding_dict(f) for f in report.repo_findings],
        "packets": [packet_dict(r) for r in report.packets],
        "receipt": to_jsonable(report.receipt) if report.receipt else None,
        "notes": list(report.notes),
    }
    if report.shard is not None:
        doc["shard"] = to_jsonable(report.shard)
    # What overview renderers (the HTML dashboard) draw beside the packets,
    # so that `govcheck merge` can render them from shard reports too.
    doc["spec_sections"] = [[s.id, s.title] for s in report.spec_sections]
    doc["board"] = {"path": report.board_path, "entries": [to_jsonable(e) for e in report.board]}
    return doc


def render(report: Report, options: object = None) -> str:
    # options: RenderOptions, unused: the JSON report is always whole.
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# JSON -> Report
# --------------------------------------------------------------------------


def decode_finding(d: dict[str, Any], packet_id: str | None) -> Finding:
    return Finding(rule=d["rule"], severity=Severity(d["severity"]), message=d["message"], path=d["path"],
                   line=d["line"], data=d.get("data") or {}, codex=d.get("codex"), waived_by=d.get("waived_by"),
                   packet_id=packet_id)


def decode_command(d: dict[str, Any]) -> CommandResult:
    return CommandResult(**{**d, "proof_lines": tuple(d.get("proof_lines") or ())})


def _field(name: str, value: str | None) -> Field | None:
    return None if value is None else Field(name=name, value=value, line=0)


def decode_packet(d: dict[str, Any]) -> PacketResult:
    packet = Packet(
        id=d["id"], path=d["path"], sha256=d["sha256"], generation=d["generation"], form=d.get("form", "markdown"),
        title=d.get("title"),
        status=_field("STATUS", d.get("status")), risk_tier=_field("RISK_TIER", d.get("risk_tier")),
        evidence=tuple(EvidenceEntry(**e) for e in d.get("evidence") or ()),
    )
    basis = d.get("spec_basis") or {}
    return PacketResult(
        packet=packet,
        verdict=Verdict(d["verdict"]),
        findings=tuple(decode_finding(f, d["id"]) for f in d["findings"]),
        spec_version=d.get("spec_version"),
        criteria=tuple(CriterionStatus(**{**c, "evidence": tuple(c.get("evidence") or ())}) for c in d["criteria"]),
        spec_basis=basis.get("kind"),
        spec_basis_line=basis.get("line"),
        commands=tuple(decode_command(c) for c in d["commands"]),
        superseded=tuple(d.get("superseded") or ()),
        reason=d.get("reason", ""),
        deciding_rules=tuple(d.get("deciding_rules") or ()),
        anchors=tuple(d.get("anchored_sections") or ()),
    )


def decode(doc: dict[str, Any], rules: Sequence[RuleInfo] = ()) -> Report:
    """The Report a JSON report was rendered from (as far as renderers
    see it); ``rules`` is the rule catalogue, which the JSON does not hold."""
    if doc.get("schema") != SCHEMA_ID:
        raise ValueError(f"not a govcheck JSON report ({SCHEMA_ID}): schema is {doc.get('schema')!r}")
    sc = doc.get("spec_current")
    shard = doc.get("shard")
    return Report(
        generated_at=doc["generated_at"],
        repo=doc["repo"],
        verdict=Verdict(doc["verdict"]),
        spec_current=None if sc is None else SpecCurrent(**sc),
        packets=tuple(decode_packet(p) for p in doc["packets"]),
        repo_findings=tuple(decode_finding(f, None) for f in doc["repo_findings"]),
        receipt=None if doc.get("receipt") is None else Receipt(**doc["receipt"]),
        tool_version=doc["tool"]["version"],
        notes=tuple(doc.get("notes") or ()),
        rules=tuple(rules),
        shard=None if shard is None else ShardInfo(**{**shard, "positions": tuple(shard["positions"])}),
        spec_sections=tuple(SpecOutlineEntry(i, title) for i, title in doc.get("spec_sections") or ()),
        board_path=(doc.get("board") or {}).get("path"),
        board=tuple(BoardEntry(**e) for e in (doc.get("board") or {}).get("entries") or ()),
    )
