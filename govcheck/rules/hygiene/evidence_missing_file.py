"""The ``evidence-missing-file`` rule. Its docstring is its documentation: ``govcheck explain evidence-missing-file``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.packet_text import (
    in_reports,
    packet_lines,
    packet_text,
    report_ranges,
)
from govcheck.analysis.placeholders import PLACEHOLDER_RE
from govcheck.analysis.text import line_number, lines_mentioning, safe_fragment
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


_REF_RE = re.compile(r"^(.+?):(\d+)(?:-(\d+))?$")


_PLACEHOLDER_PATH_RE = re.compile(r"path/to/|\{\{|<[^>]*>|\.\.\.", re.I)


def _line_count(ctx: Context, path: str) -> int:
    data = ctx.repo.read_bytes(path)
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def evidence_problem(ctx: Context, ref: str) -> str | None:
    """Why ``path:line`` (or ``path:start-end``) does not point into an
    existing file, or None when it does. Shares its reading of a reference
    with done_means.evidence_exists."""
    m = _REF_RE.match(ref)
    if not m:
        return None
    path = m.group(1).strip("`").replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    line = line_number(m.group(3) or m.group(2))
    if not ctx.repo.is_file(path):
        return f"{path} does not exist"
    try:
        count = _line_count(ctx, path)
    except (OSError, GovcheckError):
        return f"{path} cannot be read"
    if line > count:
        return f"{path} has {count} line(s); {ref} points past its end"
    return None


def _locate(lines: Sequence[str], needle: str, start: int) -> int:
    for n in range(max(start, 1), len(lines) + 1):
        if needle in lines[n - 1]:
            return n
    return start


_TARGET_FRAGMENT = safe_fragment("target f")  # "file" has an i (see analysis/text.py)


# A manifest entry that names no file: N/A, n/a, NA, none, -.
_NOT_A_PATH_RE = re.compile(r"^(?:n/?a|none|-+)\b[\s.)]*(?:\(.*)?$", re.I)
_TARGET_FILE_RE = re.compile(r"^\s*(?:[-*+]\s+)?\**Target File\**\s*:\s*\**\s*(.+?)\s*$", re.I)


@rule(
    "evidence-missing-file",
    severity=ERROR,
    summary="An EVIDENCE_MAPPING or VALIDATION manifest names a file or line that does not exist",
)
def evidence_missing_file(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every ``EVIDENCE: path:line`` (or ``path:start-end``) in
    EVIDENCE_MAPPING names a file that exists in the repo and has that
    line; every ``Target File`` of the VALIDATION manifest exists. This
    holds whatever the packet's status (``done-means-unevidenced`` is the
    rule that asks whether a Done packet's criteria are evidenced at all).
    Template paths (``path/to/file``, ``<...>``, ``{{...}}``) and earlier
    validation reports are skipped.

    Why
    A reference to a file that was renamed or never committed is evidence
    nobody can open: the claim outlives the code.

    How to fix
    Point the reference at the file and line where the code is now, or
    remove the entry.

    Example
        - REQUIREMENT: "Leases expire"
          EVIDENCE: src/jobs/queue.py:140    (the file has 25 lines)
    """
    lines = packet_lines(packet, ctx)
    history = report_ranges(packet)
    seen: set[tuple[str, int]] = set()
    for mapping in packet.evidence_mappings:
        if in_reports(mapping.line, history):
            continue
        for ref in mapping.evidence:
            if _PLACEHOLDER_PATH_RE.search(ref):
                continue
            problem = evidence_problem(ctx, ref)
            if problem is None:
                continue
            line = _locate(lines, ref, mapping.line)
            if (ref, line) in seen:
                continue
            seen.add((ref, line))
            yield hit(f"EVIDENCE {ref}: {problem}", line=line, data={"evidence": ref, "requirement": mapping.requirement})
    for n in lines_mentioning(packet_text(packet, ctx), "target file", _TARGET_FRAGMENT):
        text = lines[n - 1]
        if in_reports(n, history):
            continue
        m = _TARGET_FILE_RE.match(text)
        if not m:
            continue
        target = m.group(1).strip().strip("*").strip().strip("`").strip()
        if not target or _PLACEHOLDER_PATH_RE.search(target) or PLACEHOLDER_RE.search(target):
            continue
        if _NOT_A_PATH_RE.match(target):
            continue  # "N/A", "none": the manifest says no file was changed
        target = target.split()[0].strip("`") if " " in target and not ctx.repo.exists(target) else target
        target = target.replace("\\", "/")
        if target.startswith("./"):
            target = target[2:]
        if not ctx.repo.exists(target):
            yield hit(f"VALIDATION Target File {target} does not exist", line=n, data={"target_file": target})
