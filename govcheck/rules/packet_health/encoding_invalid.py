"""The ``encoding-invalid`` rule. Its docstring is its documentation: ``govcheck explain encoding-invalid``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "encoding-invalid",
    severity=ERROR,
    summary="The packet is not valid UTF-8",
)
def encoding_invalid(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every byte of the packet decodes as UTF-8 (a BOM is fine). A byte that
    is not UTF-8 but is a Windows-1252 character (0x97, an em dash) is read
    as that character and reported as a warning; any other invalid byte is
    replaced (U+FFFD) and reported as an error. Either way the rest of the
    packet is still checked, and each affected line is named.

    Why
    Tools disagree about what an invalid byte means; a Windows-1252 dash
    saved into a UTF-8 file shows up as garbage in review tools and breaks
    ASCII gates.

    How to fix
    Re-save the file as UTF-8 and replace the character (an em dash
    becomes ``-`` in ASCII-only packets).

    Example
    A lone byte 0x97 (a Windows-1252 em dash) in a sentence.
    """
    for issue in packet.decode_issues:
        if issue.kind == "invalid-utf8":
            yield hit(f"invalid UTF-8: {issue.detail}", line=issue.line, data={"detail": issue.detail})
        elif issue.kind == "cp1252-byte":
            # Recovered: the text is readable, but the file is not clean UTF-8.
            yield hit(f"stray Windows-1252 byte: {issue.detail}", line=issue.line,
                      data={"detail": issue.detail}, severity=WARNING)
