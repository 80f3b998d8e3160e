"""The reports ``govcheck validate --append`` wrote into a packet, found
and checked from the packet's bytes.

Each appended report starts with a marker line

    <!-- govcheck:report v=1 prior_sha256=<hex> body_sha256=<hex> tool=0.1.0 -->

``prior_sha256`` is the hash of every packet byte before the marker line,
``body_sha256`` the hash of the report's own bytes after it. What counts:

- A human may write after a report (a note, a sign-off): the body is
  checked as a prefix, ending at a line boundary, of the text up to the
  next marker, not the whole of it. Text added between two reports is
  still covered by the next report's ``prior_sha256``.
- A marker quoted inside a closed code fence (documentation showing one)
  is no report, unless its ``prior_sha256`` matches: a real marker stays
  real even when a report above it opened a fence.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Mapping

MARKER_RE = re.compile(rb"^<!-- govcheck:report (?P<attrs>[^\r\n]*?) -->\r?$", re.M)
_ATTR_RE = re.compile(rb"(\w+)=(\S+)")
_FENCE_RE = re.compile(rb"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\r\n]*)$")


@dataclass(frozen=True)
class AppendedReport:
    start: int  # byte offset of the marker line
    line: int  # 1-based line of the marker
    prior_sha256: str | None
    body_sha256: str | None
    prior_ok: bool
    body_ok: bool
    body_end: int  # where the verified body ends (the segment's end when it does not verify)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _closed_fence_ranges(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of code fences that open and close (CommonMark: a
    closing fence uses the opening character, at least as many, and no
    info string). A fence left open is not listed."""
    ranges: list[tuple[int, int]] = []
    opener: bytes | None = None
    opened_at = 0
    pos = 0
    for raw in data.splitlines(keepends=True):
        line = raw.rstrip(b"\r\n")
        m = _FENCE_RE.match(line)
        if m:
            fence = m.group("fence")
            if opener is None:
                if not (fence.startswith(b"`") and b"`" in m.group("info")):
                    opener, opened_at = fence, pos
            elif fence[:1] == opener[:1] and len(fence) >= len(opener) and not m.group("info").strip():
                ranges.append((opened_at, pos + len(raw)))
                opener = None
        pos += len(raw)
    return ranges


def _inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    return any(start < offset < end for start, end in ranges)


def _body_verifies(segment: bytes, expected: str | None) -> int | None:
    """The length of the prefix of ``segment`` (ending at a line boundary,
    or the whole segment) whose sha256 is ``expected``; None when none is."""
    if not expected:
        return None
    h = hashlib.sha256()
    at = 0
    if h.hexdigest() == expected:
        return 0
    for chunk in segment.splitlines(keepends=True):
        h.update(chunk)
        at += len(chunk)
        if h.copy().hexdigest() == expected:
            return at
    return None


def appended_reports(data: bytes) -> list[AppendedReport]:
    """Every govcheck-appended report in the packet, checked."""
    if b"govcheck:report" not in data:
        return []
    fences = _closed_fence_ranges(data)
    marks = []
    for m in MARKER_RE.finditer(data):
        attrs = {k.decode(): v.decode("ascii", "replace") for k, v in _ATTR_RE.findall(m.group("attrs"))}
        prior = attrs.get("prior_sha256")
        prior_ok = prior == sha256_hex(data[: m.start()])
        if _inside(fences, m.start()) and not prior_ok:
            continue  # quoted in a code block: an example, not a report
        marks.append((m, attrs, prior_ok))
    out: list[AppendedReport] = []
    for i, (m, attrs, prior_ok) in enumerate(marks):
        body_start = m.end()
        if data[body_start : body_start + 2] == b"\r\n":
            body_start += 2
        elif data[body_start : body_start + 1] == b"\n":
            body_start += 1
        segment_end = marks[i + 1][0].start() if i + 1 < len(marks) else len(data)
        body = attrs.get("body_sha256")
        verified = _body_verifies(data[body_start:segment_end], body)
        out.append(
            AppendedReport(
                start=m.start(),
                line=data.count(b"\n", 0, m.start()) + 1,
                prior_sha256=attrs.get("prior_sha256"),
                body_sha256=body,
                prior_ok=prior_ok,
                body_ok=verified is not None,
                body_end=body_start + verified if verified is not None else segment_end,
            )
        )
    return out


def holds_report(data: bytes, body_sha256: str) -> bool:
    """True when the packet still holds, intact, the report whose body
    hashes to ``body_sha256``."""
    return any(r.body_sha256 == body_sha256 and r.body_ok and r.prior_ok for r in appended_reports(data))


# The state folder's record of the last report --append wrote into each
# packet (written by commands.append, read by the engine for rule
# report-removed): a report deleted later is then noticed.
LEDGER_NAME = "appended-reports.json"


def parse_ledger(data: bytes) -> Mapping[str, dict]:
    """packet path -> {sha256, body_sha256, line}; {} when it cannot be
    read (a damaged ledger only loses what it would have told)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(doc, dict) or not isinstance(doc.get("packets"), dict):
        return {}
    return {k: v for k, v in doc["packets"].items()
            if isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("body_sha256"), str)}
