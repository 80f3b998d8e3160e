"""The Markdown validation report, shaped like the ones validators append
to packets by hand:

    ## VALIDATION REPORT — WP-ID (YYYY-MM-DD)
    Verdict: PASS|FAIL|OUTDATED
    Scope Inputs: / Findings: / DONE_MEANS: / TEST_PLAN: / REASON FOR FAIL:

It renders what the Report holds and computes nothing a reader could
disagree with.
"""

from __future__ import annotations

import posixpath
from typing import Iterable

from govcheck.analysis.anchoring import basis_label
from govcheck.model import CommandResult, Finding, PacketResult, Report, Severity, Verdict

_SEV = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
_CRITERION_MARK = {"evidenced": "[x]", "tests-passed": "[x]", "tests-failed": "[ ]", "linked-to-tests": "[~]", "unevidenced": "[ ]", "not-required": "[ ]"}


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _location(f: Finding) -> str:
    if f.path and f.line:
        return f"{f.path}:{f.line}"
    return f.path or "-"


def render_finding(f: Finding) -> str:
    codex = f" [{f.codex}]" if f.codex else ""
    waived = f" (waived by {f.waived_by})" if f.waived_by else ""
    return f"[{_SEV.get(f.severity, f.severity.value.upper())}] {f.rule}{codex} {_location(f)}: {f.message}{waived}"


def _current_line(sc) -> str:
    if sc is None:
        return "- SPEC_CURRENT: unresolved"
    if sc.form == "latest":
        return f"- SPEC_CURRENT: the newest spec file, {sc.spec_file} (v{sc.version}; layout.spec_current: latest)"
    return f"- SPEC_CURRENT: {sc.path} -> {sc.spec_file} (v{sc.version})"


def _spec_line(result: PacketResult, report: Report) -> str:
    sc = report.spec_current
    if result.spec_version:
        packet_part = f"Packet references spec v{result.spec_version} ({basis_label(result.spec_basis)}, line {result.spec_basis_line})"
    else:
        packet_part = "Packet names no spec version"
    if sc is None:
        return packet_part
    if sc.form == "latest":
        return f"{packet_part}; the current spec is the newest spec file, {sc.spec_file} (v{sc.version})."
    return f"{packet_part}; {sc.path} points to {sc.spec_file} (v{sc.version})."


def _command_rows(commands: Iterable[CommandResult]) -> list[str]:
    rows = [
        "| # | Command | Status | Exit | Duration | Log | sha256 | Proof lines |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, c in enumerate(commands, 1):
        proof = "<br>".join(_md_cell(p) for p in c.proof_lines) or _md_cell(c.reason or "")
        status = c.status + (" (cached)" if c.cached else "")
        rows.append(
            "| {n} | `{cmd}` | {status} | {exit} | {dur} | {log} | {sha} | {proof} |".format(
                n=n,
                cmd=_md_cell(c.command.split("\n", 1)[0][:160]) + (" ..." if "\n" in c.command else ""),
                status=status,
                exit="-" if c.exit_code is None else c.exit_code,
                dur="-" if c.duration_s is None else f"{c.duration_s:.1f}s",
                log=f"`{c.log_path}`" if c.log_path else "-",
                sha=f"`{c.log_sha256}`" if c.log_sha256 else "-",
                proof=proof or "-",
            )
        )
    return rows


def _reason(result: PacketResult, fixes: dict[str, str]) -> list[str]:
    lines = [f"REASON FOR {result.verdict.value}: {result.reason}."]
    lines += [f"- {rule_id}: {fixes[rule_id]}" for rule_id in result.deciding_rules if fixes.get(rule_id)]
    return lines


def _fixes(report: Report) -> dict[str, str]:
    return {r.id: r.fix for r in report.rules}


def _receipt(report: Report, name: str) -> str:
    value = getattr(report.receipt, name, None) if report.receipt else None
    return value or "-"


def _anchored_changes(result: PacketResult) -> list[str]:
    """For a stale packet, what moved under its anchors: one capped diff per
    changed section, so the validator sees it without opening two specs."""
    for f in result.findings:
        if f.rule != "spec-stale" or not f.data.get("section_diffs"):
            continue
        out = ["", f"Anchored sections changed (v{f.data['packet_version']} -> v{f.data['current_version']}):"]
        diffs = f.data["section_diffs"]
        # In changed_sections' order (the anchors'): a JSON round trip
        # (govcheck merge) sorts the keys of section_diffs.
        order = [sid for sid in f.data.get("changed_sections") or () if sid in diffs]
        order += [sid for sid in diffs if sid not in order]
        for sid in order:
            out += [f"- §{sid}:", "```diff", diffs[sid], "```"]
        return out
    return []


def _form_line(p) -> str:
    """How a contract-era packet is written, and which file is the authority."""
    if p.form == "microtasks":
        return "microtasks (MT-NNN.json contracts only; no packet.json or packet.md)"
    if p.form == "contract":
        return f"contract ({p.path} only; no Markdown projection)"
    # The contract sits beside its projection (a packet folder's packet.json).
    contract = posixpath.join(posixpath.dirname(p.path), "packet.json")
    return f"contract+projection (authority {contract}; {p.path} is its generated view)"


def render_packet(result: PacketResult, report: Report, fixes: dict[str, str] | None = None) -> str:
    """One packet's report (``fixes``: each rule's "How to fix" line, made
    once per report by a caller rendering many packets)."""
    p = result.packet
    date = report.generated_at[:10]
    status = p.status.value if p.status else "missing"
    tier = p.risk_tier.value if p.risk_tier else "missing"
    out = [
        f"## VALIDATION REPORT \u2014 {p.id} ({date})",
        f"Verdict: {result.verdict.value}",
        "",
        "Scope Inputs:",
        f"- Task Packet: {p.path} (STATUS: {status}; RISK_TIER: {tier})",
        f"- Spec: {_spec_line(result, report)}",
    ]
    if p.form != "markdown":
        out.append(f"- Packet form: {_form_line(p)}")
    if report.spec_current and report.spec_current.codex:
        out.append(f"- Codex: {report.spec_current.codex}")
    out.append(f"- Validator: govcheck {report.tool_version} (mechanical checks; generated {report.generated_at})")
    out.append(f"- Receipt: packet sha256 {p.sha256 or '-'}; spec sha256 {_receipt(report, 'spec_current_sha256')}; "
               f"config sha256 {_receipt(report, 'config_sha256')}")
    if result.superseded:
        out.append(f"- Superseded flat file(s): {', '.join(result.superseded)}")
    out += ["", "Findings:"]
    if result.findings:
        out += [f"{n}. {render_finding(f)}" for n, f in enumerate(result.findings, 1)]
    else:
        out.append("- None.")
    out += _anchored_changes(result)
    out += ["", "DONE_MEANS:"]
    if result.criteria:
        for c in result.criteria:
            evidence = f" ({', '.join(c.evidence[:3])})" if c.evidence else ""
            note = f"; {c.note}" if c.note else ""
            out.append(f"- {_CRITERION_MARK.get(c.status, '[ ]')} {c.text} (line {c.line}) \u2014 {c.status}{evidence}{note}")
    else:
        out.append("- None stated.")
    out += ["", "TEST_PLAN:"]
    if result.commands:
        out += _command_rows(result.commands)
    else:
        out.append("- No commands.")
    out += [""] + _reason(result, fixes if fixes is not None else _fixes(report))
    return "\n".join(out) + "\n"


def render(report: Report, options: object = None) -> str:
    # options: RenderOptions, unused: the Markdown report is always whole.
    if len(report.packets) == 1 and not report.repo_findings and not report.notes:
        return render_packet(report.packets[0], report)
    sc = report.spec_current
    counts = {v: sum(1 for r in report.packets if r.verdict is v) for v in Verdict}
    out = [
        f"# govcheck validation \u2014 {len(report.packets)} packet(s) ({report.generated_at[:10]})",
        f"Verdict: {report.verdict.value}",
        "",
        _current_line(sc),
        f"- Packets: {len(report.packets)} ({counts[Verdict.PASS]} pass, {counts[Verdict.FAIL]} fail, "
        f"{counts[Verdict.OUTDATED]} outdated)",
        *(f"- {note}" for note in report.notes),
        "",
    ]
    if report.repo_findings:
        out.append("## Repository findings")
        out += [f"- {render_finding(f)}" for f in report.repo_findings]
        out.append("")
    if len(report.packets) > 1:
        out += ["| Packet | Verdict | Errors | Warnings | Spec | Status |", "|---|---|---|---|---|---|"]
        for r in report.packets:
            errs = sum(1 for f in r.findings if f.severity is Severity.ERROR and not f.waived_by)
            warns = sum(1 for f in r.findings if f.severity is Severity.WARNING and not f.waived_by)
            status = r.packet.status.value if r.packet.status else "missing"
            out.append(
                f"| {r.packet.id} | {r.verdict.value} | {errs} | {warns} | "
                f"{'v' + r.spec_version if r.spec_version else '-'} | {_md_cell(status[:40])} |"
            )
        out.append("")
    fixes = _fixes(report)
    for r in report.packets:
        out.append(render_packet(r, report, fixes))
    return "\n".join(out).rstrip("\n") + "\n"
