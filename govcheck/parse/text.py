"""Bytes to text, the way real governance repos need it.

Packets arrive as UTF-8 with or without a BOM, with LF or CRLF, with stray
Windows-1252 bytes (``0x97`` for an em dash, pasted from an editor that
saved in the wrong encoding), with mojibake (UTF-8 read as Windows-1252
and saved again: ``Â§`` for ``§``, ``â€”`` for ``—``), and with literal
``??`` where a character was lost. None of that may crash the parser or
hide a section anchor:

* ``decode`` never raises. Invalid bytes become the Windows-1252 character
  they most likely were (``cp1252-byte``) or U+FFFD (``invalid-utf8``),
  each reported with its line. Mojibake, lost characters and control
  characters are reported too; the text itself keeps them, because it is
  the author's text (line numbers and quotes must match the file).
* ``normalize_for_matching`` gives the text pattern matchers should read:
  mojibake repaired, ``??2.3.12`` read as ``§2.3.12``, same length per line
  not guaranteed (only used to recognise things, never to quote them).
"""

from __future__ import annotations

import codecs
import re
import threading

from govcheck.model import DecodedText, DecodeIssue

BOM = b"\xef\xbb\xbf"
# Past this many invalid sequences the rest is decoded with plain
# replacement: a file that broken is reported, not repaired byte by byte.
_MAX_REPAIRS = 1000
_MAX_ISSUES_PER_KIND = 50

# UTF-8 text that was read as Windows-1252 and written back as UTF-8.
MOJIBAKE = {
    "\u00c2\u00a7": "\u00a7",  # Â§  -> §
    "\u00c2\u00a0": "\u00a0",  # Â nbsp
    "\u00c2\u00b7": "\u00b7",  # Â·  -> ·
    "\u00c2\u00b0": "\u00b0",  # Â°  -> °
    "\u00e2\u20ac\u201d": "\u2014",  # â€” -> —
    "\u00e2\u20ac\u201c": "\u2013",  # â€“ -> –
    "\u00e2\u20ac\u02dc": "\u2018",  # â€˜ -> ‘
    "\u00e2\u20ac\u2122": "\u2019",  # â€™ -> ’
    "\u00e2\u20ac\u0153": "\u201c",  # â€œ -> “
    "\u00e2\u20ac\u009d": "\u201d",  # â€\x9d -> ”
    "\u00e2\u20ac\u00a6": "\u2026",  # â€¦ -> …
    "\u00e2\u2020\u2019": "\u2192",  # â†’ -> →
    "\u00e2\u2020\u0090": "\u2190",  # â†\x90 -> ←
    "\u00e2\u0153\u2026": "\u2705",  # âœ… -> ✅
    "\u00e2\u0153\u201c": "\u2713",  # âœ“ -> ✓
    "\u00e2\u009d\u0152": "\u274c",  # âŒ -> ❌
    "\u00e2\u2030\u00a4": "\u2264",  # â‰¤ -> ≤
    "\u00e2\u2030\u00a5": "\u2265",  # â‰¥ -> ≥
}
_MOJIBAKE_RE = re.compile("|".join(re.escape(k) for k in sorted(MOJIBAKE, key=len, reverse=True)))
# Generic signature of doubly encoded text: a lead byte of a multi-byte
# UTF-8 sequence (as Windows-1252) followed by a continuation character.
_MOJIBAKE_HINT_RE = re.compile("[\u00c2\u00c3\u00e2\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")
_LOST_BEFORE_NUMBER_RE = re.compile(r"\?{2,3}(?=\d)")
_LOST_RE = re.compile(r"\?{3,}|(?<![\w?])\?\?(?![\w?])|\?\?(?=\d)")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cp1252(byte: int) -> str | None:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return None  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined


# The repairs of the decode running in this thread (see _repair_byte).
_REPAIRS = threading.local()


def _repair_byte(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Error handler "govcheck-repair": the invalid byte at ``exc.start`` as
    its Windows-1252 character (or U+FFFD), decoding going on after it;
    past _MAX_REPAIRS, the "replace" handler's answer."""
    repairs = _REPAIRS.list
    at = exc.start
    if len(repairs) >= _MAX_REPAIRS:
        if len(repairs) == _MAX_REPAIRS:
            repairs.append((at, "invalid-utf8", "too many invalid bytes; the rest was decoded with replacement"))
        return "\ufffd", exc.end
    byte = exc.object[at]
    char = _cp1252(byte)
    if char is not None and byte >= 0x80:
        repairs.append((at, "cp1252-byte", f"byte 0x{byte:02X} is not UTF-8; read as Windows-1252 {char!r} (U+{ord(char):04X})"))
    else:
        char = "\ufffd"
        repairs.append((at, "invalid-utf8", f"byte 0x{byte:02X} replaced"))
    return char, at + 1


codecs.register_error("govcheck-repair", _repair_byte)


def _decode_repairing(data: bytes) -> tuple[str, list[tuple[int, str, str]]]:
    """UTF-8 with each invalid byte read as Windows-1252 (or U+FFFD).
    Returns the text and (byte offset, kind, detail) for every repair.
    One decode with an error handler: decoding the rest again after each
    invalid byte copied the rest each time (seconds for 1,000 bad bytes in
    16 MB)."""
    _REPAIRS.list = repairs = []
    try:
        text = data.decode("utf-8", errors="govcheck-repair")
    finally:
        del _REPAIRS.list
    return text, repairs


def newline_style(data: bytes) -> str:
    """``"\\r\\n"``, ``"\\n"`` or ``"mixed"``: how the bytes end their lines."""
    if b"\r" not in data:  # most files: one C-speed search instead of two counts
        return "\n"
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n")
    return "\r\n" if crlf and crlf == lf else ("mixed" if crlf else "\n")


def line_breaks(data: bytes, end: int | None = None) -> int:
    """Line breaks in ``data[:end]`` as ``decode`` reads them: CRLF, LF and
    a lone CR each end one line (counted in C, without decoding)."""
    end = len(data) if end is None else end
    if b"\r" not in data:  # no CR: the line feeds alone
        return data.count(b"\n", 0, end)
    crlf = data.count(b"\r\n", 0, end)
    if end and data[end - 1 : end + 1] == b"\r\n":
        # A CRLF split by ``end`` ends the line the byte at ``end`` is on:
        # its CR is not a break before that byte.
        crlf += 1
    return data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - crlf


# The control characters _CONTROL_RE finds, as bytes: in UTF-8 (and in what
# the repairing decode makes of invalid bytes) each is its own byte.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not _CONTROL_RE.match(chr(b)) or b > 0x7f)
_MOJIBAKE_LEADS = ("\u00c2", "\u00c3", "\u00e2", "\u00f0")  # the first class of _MOJIBAKE_HINT_RE


def _worth_a_line_scan(text: str, data: bytes) -> bool:
    """Whether ``text`` (decoded from ``data``) may hold mojibake, lost
    characters or control characters. The same answer as searching the
    three patterns, without running a character-class regex over the whole
    text (the slowest part of reading 16 MB of packets): ASCII text holds
    no mojibake (``isascii`` is O(1) on a str), a mojibake signature starts
    with one of four characters, and control characters are bytes."""
    if "??" in text:
        return True
    if not text.isascii() and any(lead in text for lead in _MOJIBAKE_LEADS) and _MOJIBAKE_HINT_RE.search(text):
        return True
    return bool(data.translate(None, _NOT_CONTROL_BYTES))


def decode(data: bytes) -> DecodedText:
    has_bom = data.startswith(BOM)
    if has_bom:
        data = data[3:]
    newline = newline_style(data)
    try:
        text = data.decode("utf-8")
        repairs: list[tuple[int, str, str]] = []
    except UnicodeDecodeError:
        text, repairs = _decode_repairing(data)
    issues: list[DecodeIssue] = []
    counts: dict[str, int] = {}
    first_unlisted: dict[str, int] = {}

    def add(kind: str, line: int, detail: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= _MAX_ISSUES_PER_KIND:
            issues.append(DecodeIssue(kind, line, detail))
        else:
            first_unlisted.setdefault(kind, line)

    # Repairs come in byte order: count the line breaks up to each one
    # from the previous one, not from the start (quadratic).
    line, counted = 1, 0
    for offset, kind, detail in repairs:
        line += data.count(b"\n", counted, offset)
        counted = offset
        add(kind, line, detail)
    if newline != "\n" or "\r" in text:  # a lone CR is a line break too
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _worth_a_line_scan(text, data):
        for n, line in enumerate(text.split("\n"), 1):
            m = _MOJIBAKE_HINT_RE.search(line)
            if m:
                known = _MOJIBAKE_RE.search(line)
                seq = known.group(0) if known else m.group(0)
                meant = MOJIBAKE.get(seq)
                add("mojibake", n, f"{seq!r} is UTF-8 read as Windows-1252" + (f" (meant {meant!r})" if meant else ""))
            if "??" in line and _LOST_RE.search(line):
                add("lost-chars", n, "literal '??' where characters were lost")
            c = _CONTROL_RE.search(line)
            if c:
                add("control-char", n, f"control character U+{ord(c.group(0)):04X}")
    for kind, count in counts.items():
        if count > _MAX_ISSUES_PER_KIND:
            issues.append(DecodeIssue(kind, first_unlisted[kind], f"{count - _MAX_ISSUES_PER_KIND} more from this line on, not listed"))
    return DecodedText(text=text, has_bom=has_bom, newline=newline, issues=tuple(issues))


def repair_mojibake(text: str) -> str:
    return _MOJIBAKE_RE.sub(lambda m: MOJIBAKE[m.group(0)], text) if "\u00c2" in text or "\u00e2" in text else text


def normalize_for_matching(text: str) -> str:
    """What matchers read: mojibake repaired and ``??`` before a number
    read as the section sign it replaced."""
    text = repair_mojibake(text)
    if "??" in text:
        text = _LOST_BEFORE_NUMBER_RE.sub("\u00a7", text)
    return text
