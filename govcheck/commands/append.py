"""Append govcheck's report to a packet, append-only and tamper-evident.

Each appended report starts with a marker line

    <!-- govcheck:report v=1 prior_sha256=<hex> body_sha256=<hex> tool=0.1.0 -->

``prior_sha256`` is the hash of every packet byte before the marker line,
``body_sha256`` the hash of the report's bytes after the marker line. A
later run recomputes both (govcheck.parse.report_markers): an edited or
removed earlier report, or an edit above it, shows as a mismatch (rule
``report-tampered``).

Writing keeps the BOM, the line-ending style and every prior byte (the old
file is an exact prefix of the new one), goes through a temp file, fsync and
rename, and refuses when the packet changed on disk since it was read.
Two runs appending to one packet at once are serialised by an exclusive
``flock`` on the packet file itself (shared by every run whatever its
state folder), and the hash is compared again under the lock before the
rename: the later run is refused, never silently overwritten. A temp file
left by a run killed in the rename window is recognisable by its name and
is removed by the next run that holds the lock (a live writer always holds
it). The report last appended is recorded in the state folder's ledger
(``appended-reports.json``), so a later run can say when it is gone.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from govcheck import __version__
from govcheck.errors import GovcheckError
from govcheck.parse.report_markers import (
    LEDGER_NAME,
    MARKER_RE,
    AppendedReport,
    appended_reports,
    parse_ledger,
    sha256_hex,
)
from govcheck.report.markdown import render_packet
from govcheck.util.fsutil import atomic_write_bytes

__all__ = ["MARKER_RE", "AppendedReport", "AppendRefused", "appended_reports", "append_report", "build_appended",
           "append_to_packets", "LEDGER_NAME", "read_ledger"]

SECTION_HEADING = "## VALIDATION_REPORTS"
_SECTION_RE = re.compile(rb"^#{1,6}[ \t]+VALIDATION_REPORTS\b", re.M | re.I)
# Temp files of an append: ".<packet name>.govcheck-append.<random>.tmp".
TEMP_TAG = ".govcheck-append."


class AppendRefused(GovcheckError):
    exit_code = 1


_sha = sha256_hex


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
        f"<!-- govcheck:report v=1 prior_sha256={_sha(head)} body_sha256={_sha(body)} tool={__version__} -->"
    ).encode("ascii") + nl
    return head + marker + body


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An exclusive flock on the packet file now at ``path``: a file
    renamed over it while we waited is locked afresh (the lock that was
    waited for belongs to the replaced inode)."""
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise AppendRefused(f"{path}: cannot open the packet ({exc.strerror or exc}); report not appended") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise AppendRefused(f"{path}: not a regular file; report not appended")
            fcntl.flock(fd, fcntl.LOCK_EX)
            now = os.stat(path)
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _read_fd(fd: int) -> bytes:
    os.set_blocking(fd, True)
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def remove_stale_temps(path: Path) -> list[str]:
    """Temp files an earlier append left beside ``path`` (killed between
    writing and renaming). Called under the packet's lock: every temp file
    of that name then belongs to a writer that no longer runs."""
    removed = []
    prefix = f".{path.name}{TEMP_TAG}"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            try:
                os.unlink(path.parent / name)
                removed.append(name)
            except OSError:
                pass
    return removed


def append_report(path, expected_sha256: str, report_markdown: str, ascii_only: bool = False,
                  ledger: Path | None = None, ledger_key: str | None = None) -> bytes:
    """Append atomically; refuse when the file is not what was validated.
    With ``ledger``, record the appended report under ``ledger_key``."""
    path = Path(path)
    with _locked(path) as fd:
        current = _read_fd(fd)
        if _sha(current) != expected_sha256:
            raise AppendRefused(f"{path}: the packet changed on disk during the run; report not appended")
        remove_stale_temps(path)
        new = build_appended(current, report_markdown, ascii_only)
        atomic_write_bytes(path, new, tmp_prefix=f".{path.name}{TEMP_TAG}")
        if ledger is not None:
            last = appended_reports(new)[-1]
            _record(ledger, ledger_key or str(path), {
                "sha256": _sha(new), "body_sha256": last.body_sha256, "line": last.line, "tool": __version__,
            })
    return new


# -- the ledger: the last report appended to each packet --------------------


def read_ledger(ledger: Path) -> Mapping[str, dict]:
    try:
        return parse_ledger(ledger.read_bytes())
    except OSError:
        return {}


def _record(ledger: Path, key: str, entry: dict) -> None:
    try:
        ledger.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(ledger.parent / f"{ledger.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # no state folder to write: the report is appended all the same
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        packets = dict(read_ledger(ledger))
        packets[key] = entry
        doc = {"schema": "govcheck.appended-reports@1", "packets": dict(sorted(packets.items()))}
        atomic_write_bytes(ledger, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.ENOSPC, errno.EACCES):
            raise
    finally:
        os.close(lock_fd)


def append_to_packets(report, state_dir: Path | None = None) -> list[str]:
    """Append each validated packet's Markdown report to the packet.
    Returns one message per packet that was refused or could not be written.
    With ``state_dir``, each appended report is recorded in its ledger."""
    ledger = Path(state_dir) / LEDGER_NAME if state_dir is not None else None
    refused: list[str] = []
    for result in report.packets:
        p = result.packet
        if not p.sha256:
            continue  # never read (unreadable, outside the repo): nothing to append to
        try:
            # PACKET_FORMAT_VERSION packets must stay ASCII-only (CX-623)
            append_report(Path(report.repo) / p.path, p.sha256, render_packet(result, report),
                          ascii_only=p.format_version is not None, ledger=ledger, ledger_key=p.path)
        except AppendRefused as exc:
            refused.append(str(exc))
        except OSError as exc:
            refused.append(f"{p.path}: cannot append ({exc.strerror or exc})")
    return refused
