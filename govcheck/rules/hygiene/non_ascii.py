"""The ``non-ascii`` rule. Its docstring is its documentation: ``govcheck explain non-ascii``."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.era import Since
from govcheck.analysis.packet_text import packet_lines, packet_text
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


# Windows-1252 as the reference project's editors applied it: each byte
# 0x80-0xFF becomes one character. Bytes Windows-1252 leaves undefined
# (0x81, 0x8D, 0x8F, 0x90, 0x9D) pass through as the C1 control of the same
# number, which is what a Latin-1 fallback writes.
_CP1252_BYTE: dict[str, int] = {}


for _b in range(0x80, 0x100):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_BYTE[chr(_b)] = _b


del _b


_UTF8_LEN = {**{b: 2 for b in range(0xC2, 0xE0)}, **{b: 3 for b in range(0xE0, 0xF0)}, **{b: 4 for b in range(0xF0, 0xF5)}}


MAX_NON_ASCII_LINES = 50


def find_mojibake(text: str) -> list[tuple[str, str]]:
    """``(garbled, intended)`` pairs in ``text``: UTF-8 bytes that were read
    as Windows-1252 and saved again. ``"Â§2.3"`` -> ``[("Â§", "§")]``;
    ``"â€”"`` -> em dash; ``"âœ…"`` -> check mark. A trailing byte that
    Windows-1252 could not show is sometimes lost (``"ðŸ•µï¸"``): what is
    left is still reported when its lead bytes decode."""
    out: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        b = _CP1252_BYTE.get(text[i])
        size = _UTF8_LEN.get(b or 0)
        if size is None or i + size > n:
            i += 1
            continue
        chunk = text[i : i + size]
        raw = [_CP1252_BYTE.get(c) for c in chunk]
        if all(x is not None for x in raw):
            try:
                decoded = bytes(raw).decode("utf-8")  # type: ignore[arg-type]
            except UnicodeDecodeError:
                decoded = ""
            if decoded and ord(decoded) >= 0x80:
                # A 4-byte emoji often runs on into a variation selector
                # that was garbled too (``ï¸`` after ``ðŸ•µ``).
                j = i + size
                out.append((chunk, decoded))
                i = j
                continue
        i += 1
    return out


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() and not ch.isspace() else ""
    code = f"U+{ord(ch):04X}"
    if shown:
        code += f" '{shown}'"
    return f"{code} ({name.lower()})" if name else code


def describe_non_ascii(line: str) -> tuple[str, dict]:
    """A message naming every non-ASCII character of one line, with
    mojibake named as such."""
    moj = find_mojibake(line)
    rest = line
    for garbled, _ in moj:
        rest = rest.replace(garbled, "", 1)
    parts: list[str] = []
    seen_moj: dict[tuple[str, str], int] = {}
    for pair in moj:
        seen_moj[pair] = seen_moj.get(pair, 0) + 1
    for (garbled, intended), count in seen_moj.items():
        times = f" x{count}" if count > 1 else ""
        parts.append(f"mojibake '{garbled}'{times} = {_describe(intended)} garbled by a Windows-1252 round trip")
    counts: dict[str, int] = {}
    for ch in rest:
        if ord(ch) > 0x7F:
            counts[ch] = counts.get(ch, 0) + 1
    for ch, count in counts.items():
        times = f" x{count}" if count > 1 else ""
        parts.append(f"{_describe(ch)}{times}")
    data = {
        "characters": [f"U+{ord(c):04X}" for c in counts],
        "mojibake": [{"text": g, "intended": f"U+{ord(i):04X}"} for g, i in seen_moj],
    }
    return "; ".join(parts), data


@rule(
    "non-ascii",
    severity=ERROR,
    codex="CX-623",
    summary="A packet that must be ASCII-only holds non-ASCII characters",
    since=Since(format_version="2026-02-01", why=(
        "The ASCII-only rule belongs to the 2026-02-01 packet template (the post-work check reads the "
        "manifest as ASCII); earlier packets were written in Markdown with typographic characters.")),
    process=True,
)
def non_ascii(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Packets that declare ``PACKET_FORMAT_VERSION`` (generation 2 and
    later) must be ASCII-only; with ``rules: {non-ascii: {all_eras: true}}``
    in govcheck.yaml every packet must (this replaces the rule's former
    option ``always``). Each line holding a character above U+007F is one finding
    naming the characters (``U+00A7 '§' (section sign)``). Mojibake is
    named as such: ``Â§`` is a section sign, ``â€”`` an em dash and
    ``âœ…`` a check mark whose UTF-8 bytes were read as Windows-1252 and
    saved again. Bytes that are not UTF-8 at all are left to
    ``encoding-invalid``, which names their lines. After 50
    lines, one summary finding counts the rest. A UTF-8 byte order mark at
    the start of the file is an encoding marker, not text, and is not
    reported here.

    Why
    The reference project's post-work gate (CX-623, COR-701) rejects a
    packet that is not ASCII-only: its scripts match fields and anchors
    byte for byte, and one editor round trip turns ``§`` into ``Â§`` and
    breaks every anchor on the line.

    How to fix
    Replace the character with ASCII: ``§2.3.12`` -> ``2.3.12``, an em dash
    -> ``-``, a check mark -> ``[x]`` or ``PASS``. For mojibake, replace the
    whole garbled sequence, not just its first character.

    Example
        - SPEC_ANCHOR: Handshake_Master_Spec_v02.123.md Â§2.3.12
    gives ``non-ascii: mojibake 'Â§' = U+00A7 '§' (section sign) garbled by
    a Windows-1252 round trip``.
    """
    invalid = {i.line for i in packet.decode_issues if i.kind == "invalid-utf8"}
    if not invalid and packet_text(packet, ctx).isascii():
        return  # every line is ASCII: nothing to report (the common case)
    lines = packet_lines(packet, ctx)
    raw_lines: list[bytes] = []
    if invalid:
        try:
            raw = ctx.repo.read_bytes(packet.path)
        except (OSError, GovcheckError):
            raw = b""
        raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        raw_lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        if len(raw_lines) != len(lines):
            raw_lines = []
    reported = 0
    extra_lines = extra_first = 0
    for n, line in enumerate(lines, 1):
        if n in invalid:
            # Bytes that are not UTF-8 are encoding-invalid's to report;
            # here only the valid non-ASCII characters of the line count.
            line = raw_lines[n - 1].decode("utf-8", errors="ignore") if raw_lines else line.replace("\ufffd", "")
        if line.isascii():
            continue
        if reported >= MAX_NON_ASCII_LINES:
            extra_lines += 1
            extra_first = extra_first or n
            continue
        message, data = describe_non_ascii(line)
        if not message:
            continue
        reported += 1
        yield hit(f"non-ASCII text: {message}", line=n, data=data)
    if extra_lines:
        yield hit(
            f"{extra_lines} more line(s) hold non-ASCII characters (only the first {MAX_NON_ASCII_LINES} are listed)",
            line=extra_first,
            data={"more_lines": extra_lines},
        )
