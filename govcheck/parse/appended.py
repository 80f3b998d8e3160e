"""Reports govcheck appended to a packet (``govcheck validate --append``):
their marker lines, found in the packet's bytes and checked against the
hashes they carry (rule ``report-tampered``; commands/append.py writes
them and explains the marker)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MARKER_RE = re.compile(rb"^<!-- govcheck:report (?P<attrs>[^\r\n]*?) -->\r?$", re.M)
_ATTR_RE = re.compile(rb"(\w+)=(\S+)")


@dataclass(frozen=True)
class AppendedReport:
    start: int  # byte offset of the marker line
    line: int  # 1-based line of the marker
    prior_sha256: str | None
    body_sha256: str | None
    prior_ok: bool
    body_ok: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def appended_reports(data: bytes) -> list[AppendedReport]:
    """Every govcheck-appended report in the packet, checked."""
    marks = list(MARKER_RE.finditer(data))
    out: list[AppendedReport] = []
    for i, m in enumerate(marks):
        attrs = {k.decode(): v.decode("ascii", "replace") for k, v in _ATTR_RE.findall(m.group("attrs"))}
        body_start = m.end()
        if data[body_start : body_start + 2] == b"\r\n":
            body_start += 2
        elif data[body_start : body_start + 1] == b"\n":
            body_start += 1
        body_end = marks[i + 1].start() if i + 1 < len(marks) else len(data)
        prior, body = attrs.get("prior_sha256"), attrs.get("body_sha256")
        out.append(
            AppendedReport(
                start=m.start(),
                line=data.count(b"\n", 0, m.start()) + 1,
                prior_sha256=prior,
                body_sha256=body,
                prior_ok=prior == sha256_hex(data[: m.start()]),
                body_ok=body == sha256_hex(data[body_start:body_end]),
            )
        )
    return out
