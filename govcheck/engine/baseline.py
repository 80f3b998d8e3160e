"""Baselines: adopt the gate on a repo with a backlog of old findings.

``govcheck baseline`` records today's findings; with the baseline present,
a finding already in it is reported as ``waived by baseline`` (it does not
fail the gate), a new one fails as usual, and baseline entries no longer
raised are reported as fixed.

A finding is identified by a fingerprint that survives edits above it:
the rule, the packet, and the message with line numbers removed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from govcheck.errors import ConfigError
from govcheck.model import Finding, Report

SCHEMA_ID = "govcheck.baseline@1"
DEFAULT_FILE = ".govcheck-baseline.json"
WAIVED_BY = "baseline"

# Line references in messages: "line 51", "(line 51)", "file.md:51", ":12-20".
_LINE_REFS = re.compile(r"\blines? \d+(?:-\d+)?|:\d+(?:-\d+)?\b")


def fingerprint(f: Finding) -> str:
    message = _LINE_REFS.sub("", f.message)
    raw = "\0".join((f.rule, f.packet_id or "", f.path or "", " ".join(message.split())))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: dict[str, dict]  # fingerprint -> {rule, packet, message}


def all_findings(report: Report) -> Iterable[Finding]:
    for r in report.packets:
        yield from r.findings
    yield from report.repo_findings


def write(report: Report, path: Path) -> int:
    """The baseline file for this report's unwaived findings (sorted, so
    the file diffs cleanly when committed). Returns the entry count."""
    from govcheck.util.fsutil import atomic_write_bytes

    entries = {}
    for f in all_findings(report):
        if f.waived_by is None:
            entries[fingerprint(f)] = {"rule": f.rule, "packet": f.packet_id, "path": f.path, "message": f.message}
    doc = {
        "schema": SCHEMA_ID,
        "tool_version": report.tool_version,
        "findings": [{"fingerprint": k, **v} for k, v in sorted(entries.items(), key=lambda kv: (kv[1]["packet"] or "", kv[1]["rule"], kv[0]))],
    }
    atomic_write_bytes(path, (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    return len(entries)


def load(path: Path, shown_as: str) -> Baseline:
    from govcheck.util.schemas import load_schema

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{shown_as}: not a readable govcheck baseline ({exc})") from None
    import jsonschema

    try:
        jsonschema.validate(doc, load_schema("baseline"))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise ConfigError(f"{shown_as}: {where}: {exc.message}") from None
    return Baseline(shown_as, {e["fingerprint"]: e for e in doc["findings"]})


def apply(report: Report, baseline: Baseline) -> Report:
    """Mark findings the baseline knows; note the ones that were fixed."""
    from govcheck.engine.validate import verdict_of
    from govcheck.model import Verdict

    seen: set[str] = set()

    def mark(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
        out = []
        for f in findings:
            fp = fingerprint(f)
            if f.waived_by is None and fp in baseline.entries:
                seen.add(fp)
                f = replace(f, waived_by=WAIVED_BY)
            out.append(f)
        return tuple(out)

    packets = []
    for r in report.packets:
        findings = mark(r.findings)
        verdict = r.verdict if r.verdict is Verdict.PASS else verdict_of(findings)
        packets.append(replace(r, findings=findings, verdict=verdict))
    repo_findings = mark(report.repo_findings)
    validated = {r.packet.id for r in report.packets}
    fixed = [e for fp, e in baseline.entries.items() if fp not in seen and (e.get("packet") in validated or e.get("packet") is None)]
    overall = verdict_of(repo_findings)
    if any(r.verdict is Verdict.FAIL for r in packets):
        overall = Verdict.FAIL
    notes = list(report.notes) + [f"Baseline {baseline.path}: {len(seen)} known finding(s) not counted"]
    for e in sorted(fixed, key=lambda e: (e.get("packet") or "", e["rule"])):
        notes.append(f"Fixed since the baseline: {e['rule']} on {e.get('packet') or 'the repo'}: {e['message'][:100]}")
    return replace(report, packets=tuple(packets), repo_findings=repo_findings, verdict=overall, notes=tuple(notes))


def apply_configured(report: Report, root: Path, baseline_file: str | None) -> Report:
    """Apply the baseline named by ``--baseline``, else by config, else
    ``.govcheck-baseline.json`` when present; no baseline: the report as is."""
    from govcheck.repo.config import load_config
    from govcheck.errors import UsageError

    if baseline_file is None:
        configured = load_config(root).baseline
        candidate = configured or DEFAULT_FILE
        if not (root / candidate).is_file():
            if configured:
                raise UsageError(f"config names baseline {configured}, which does not exist")
            return report
        path, shown = root / candidate, candidate
    else:
        path, shown = Path(baseline_file), baseline_file
        if not path.is_file():
            raise UsageError(f"--baseline {baseline_file}: no such file")
    return apply(report, load(path, shown))
