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
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from govcheck.errors import ConfigError, UsageError
from govcheck.model import Finding, Report
from govcheck.repo.config import read_at_commit, read_repo_file
from govcheck.util.fsutil import atomic_write_bytes
from govcheck.util.schemas import load_schema

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
    """A baseline file named on the command line (the operator's choice:
    it may live anywhere)."""
    try:
        data = Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{shown_as}: cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    return parse(data, shown_as)


def parse(data: bytes, shown_as: str) -> Baseline:
    """A baseline from its bytes. Errors name the file and what is wrong,
    never what it holds: a baseline path can be pointed at any file."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{shown_as}: not a govcheck baseline (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{shown_as}: not a govcheck baseline (invalid JSON at line {exc.lineno})") from None
    except RecursionError:
        raise ConfigError(f"{shown_as}: not a govcheck baseline (JSON nested too deeply)") from None
    except ValueError:  # e.g. an integer longer than Python converts
        raise ConfigError(f"{shown_as}: not a govcheck baseline (a value JSON cannot hold)") from None
    # Imported here, a real cost: jsonschema takes ~0.2 s to import, paid
    # only by runs that have a baseline.
    import jsonschema

    try:
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(load_schema("baseline")).iter_errors(doc))
    except RecursionError:
        raise ConfigError(f"{shown_as}: not a govcheck baseline (JSON nested too deeply)") from None
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)[:200] or "top level"
        # The validator's own message quotes the offending value: not shown.
        raise ConfigError(f"{shown_as}: not a govcheck baseline ({where}: fails the schema's '{error.validator}' check)")
    return Baseline(shown_as, {e["fingerprint"]: e for e in doc["findings"]})


def mark(findings: Iterable[Finding], baseline: Baseline, seen: set[str]) -> tuple[Finding, ...]:
    """Findings the baseline knows marked ``waived by baseline`` (before the
    verdict is decided); their fingerprints are added to ``seen``."""
    out = []
    for f in findings:
        fp = fingerprint(f)
        if f.waived_by is None and fp in baseline.entries:
            seen.add(fp)
            f = replace(f, waived_by=WAIVED_BY)
        out.append(f)
    return tuple(out)


_WP_ID = re.compile(r"\bWP-[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


def evaluated(entry: dict, validated: set[str], repo_checked: bool = True,
              skipped_rules: frozenset[str] = frozenset(), all_packets: bool = True) -> bool:
    """Whether this run judged what the entry records (so its absence means
    it is fixed): its rule ran, and its packet was validated; a repo-level
    entry naming packets (the task board's) counts in a partial run only
    when one of them was validated, as the board rules compare only those."""
    if entry["rule"] in skipped_rules:
        return False
    packet = entry.get("packet")
    if packet is not None:
        return packet in validated
    if not repo_checked:
        return False
    named = _WP_ID.findall(entry.get("message") or "")
    return all_packets or not named or any(wp in validated for wp in named)


def notes(baseline: Baseline, seen: set[str], validated: set[str], repo_checked: bool = True,
          skipped_rules: frozenset[str] = frozenset(), all_packets: bool = True) -> list[str]:
    """The report's notes: how many known findings were not counted, and
    the entries this run evaluated (see ``evaluated``) that were not raised."""
    fixed = [e for fp, e in baseline.entries.items() if fp not in seen
             and evaluated(e, validated, repo_checked, skipped_rules, all_packets)]
    out = [f"Baseline {baseline.path}: {len(seen)} known finding(s) not counted"]
    for e in sorted(fixed, key=lambda e: (e.get("packet") or "", e["rule"])):
        out.append(f"Fixed since the baseline: {e['rule']} on {e.get('packet') or 'the repo'}: {e['message'][:100]}")
    return out


def load_configured(root: Path, baseline_file: str | None, configured: str | None) -> Baseline | None:
    """The baseline named by ``--baseline``, else by config (``configured``),
    else ``.govcheck-baseline.json`` when present; None when there is none.
    A baseline the repo names must be a regular file inside it."""
    if baseline_file is None:
        candidate = configured or DEFAULT_FILE
        data = read_repo_file(root, candidate, candidate)
        if data is None:
            if configured:
                raise UsageError(f"config names baseline {configured}, which does not exist")
            return None
        return parse(data, candidate)
    path = Path(baseline_file)
    if not path.is_file():
        raise UsageError(f"--baseline {baseline_file}: no such file")
    return load(path, baseline_file)


def repo_target(root: Path, name: str) -> Path:
    """Where ``govcheck baseline`` may write the baseline the config names:
    inside the repo, never through a link leading out of it."""
    target = Path(root) / name
    try:
        Path(os.path.realpath(target)).relative_to(os.path.realpath(root))
    except ValueError:
        raise ConfigError(f"baseline {name}: outside the repository; refused (pass --output FILE to write elsewhere)") from None
    return target


def load_at_commit(root: Path, commit: str, configured: str | None) -> Baseline | None:
    """The baseline the config at ``commit`` names (or the default file), as
    it is in that commit; None when there is none."""
    candidate = configured or DEFAULT_FILE
    data = read_at_commit(root, commit, candidate, candidate)
    if data is None:
        if configured:
            raise UsageError(f"the config at {commit[:12]} names baseline {configured}, which does not exist there")
        return None
    return parse(data, f"{candidate}@{commit[:12]}")

