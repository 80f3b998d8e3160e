"""Append govcheck's report to a packet, append-only and tamper-evident.

Each appended report starts with a marker line

    <!-- govcheck:report v=1 prior_sha256=<hex> body_sha256=<hex> tool=0.1.0 -->

``prior_sha256`` is the hash of every packet byte before the marker line,
``body_sha256`` the hash of the report's bytes after the marker line up to
the next marker (or the end of the file). A later run recomputes both: an
edited or removed earlier report, or an edit above it, shows as a mismatch
(rule ``report-tampered``).

Writing keeps the BOM, the line-ending style and every prior byte (the old
file is an exact prefix of the new one), goes through a temp file, fsync and
rename, and refuses when the packet changed on disk since it was read.
"""

from __future__ import annotations

import re
from pathlib import Path

from govcheck import __version__
from govcheck.errors import GovcheckError
from govcheck.parse.appended import (  # noqa: F401 (re-exported)
    MARKER_RE,
    AppendedReport,
    appended_reports,
    sha256_hex,
)
from govcheck.report.markdown import render_packet
from govcheck.util.fsutil import atomic_write_bytes

SECTION_HEADING = "## VALIDATION_REPORTS"
_SECTION_RE = re.compile(rb"^#{1,6}[ \t]+VALIDATION_REPORTS\b", re.M | re.I)


class AppendRefused(GovcheckError):
    exit_code = 1


def newline_of(data: bytes) -> bytes:
    first = data.find(b"\n")
    return b"\r\n" if first > 0 and data[first - 1 : first] == b"\r" else b"\n"


_ASCII_MAP = {
    "\u2014": "-", "\u2013": "-", "\u2212": "-", "\u00a7": "section ", "\u2192": "->", "\u2190": "<-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " ",
    "\u2713": "[x]", "\u2705": "[x]", "\u00d7": "x",
}


def to_ascii(text: str) -> str:
    """The report in ASCII, for packets that must stay ASCII-only (gen2
    packets; and any packet that is ASCII today). Characters from the
    packet itself (quoted criteria) fall back to ``\\uXXXX``."""
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
        else:
            out.append(_ASCII_MAP.get(ch, f"\\u{ord(ch):04x}"))
    return "".join(out)


def must_stay_ascii(original: bytes) -> bool:
    body = original[3:] if original.startswith(b"\xef\xbb\xbf") else original
    return body.isascii()


def build_appended(original: bytes, report_markdown: str, ascii_only: bool = False) -> bytes:
    """The packet's new bytes: the original, untouched, then (when the packet
    has no VALIDATION_REPORTS section) the section heading, then the marker
    line and the report, in the packet's line-ending style."""
    nl = newline_of(original)
    head = original
    if head and not head.endswith(b"\n"):
        head += nl  # a missing final newline is added, never a byte changed
    if not _SECTION_RE.search(original):
        head += nl + SECTION_HEADING.encode() + nl
    if not head.endswith(nl + nl):
        head += nl
    # The body ends with a blank line, so the next report's marker follows
    # it directly and no byte is ever inserted between two reports.
    body_text = report_markdown.rstrip("\n") + "\n\n"
    if ascii_only or must_stay_ascii(original):
        body_text = to_ascii(body_text)
    body = body_text.replace("\r\n", "\n").replace("\n", nl.decode()).encode("utf-8")
    marker = (
        f"<!-- govcheck:report v=1 prior_sha256={sha256_hex(head)} body_sha256={sha256_hex(body)} tool={__version__} -->"
    ).encode("ascii") + nl
    return head + marker + body


def append_report(path, expected_sha256: str, report_markdown: str, ascii_only: bool = False) -> bytes:
    """Append atomically; refuse when the file is not what was validated."""
    with open(path, "rb") as fh:
        current = fh.read()
    if sha256_hex(current) != expected_sha256:
        raise AppendRefused(f"{path}: the packet changed on disk during the run; report not appended")
    new = build_appended(current, report_markdown, ascii_only)
    atomic_write_bytes(path, new)
    return new


def append_to_packets(report) -> list[str]:
    """Append each validated packet's Markdown report to the packet.
    Returns one message per packet that was refused or could not be written."""


    refused: list[str] = []
    for result in report.packets:
        p = result.packet
        if not p.sha256:
            continue  # never read (unreadable, outside the repo): nothing to append to
        try:
            # PACKET_FORMAT_VERSION packets must stay ASCII-only (CX-623)
            append_report(Path(report.repo) / p.path, p.sha256, render_packet(result, report),
                          ascii_only=p.format_version is not None)
        except AppendRefused as exc:
            refused.append(str(exc))
        except OSError as exc:
            refused.append(f"{p.path}: cannot append ({exc.strerror or exc})")
    return refused
