"""TEMPORARY shim: replaced by the full decoder on branch config-decoding."""
from __future__ import annotations
from ..model import DecodedText, DecodeIssue

def decode(data: bytes) -> DecodedText:
    has_bom = data.startswith(b"\xef\xbb\xbf")
    if has_bom:
        data = data[3:]
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n")
    newline = "\r\n" if crlf and crlf == lf else ("mixed" if crlf else "\n")
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    issues = []
    if "\ufffd" in text:
        for i, line in enumerate(text.split("\n"), 1):
            if "\ufffd" in line:
                issues.append(DecodeIssue("invalid-utf8", i, "invalid bytes replaced"))
    return DecodedText(text=text, has_bom=has_bom, newline=newline, issues=tuple(issues))

def normalize_for_matching(text: str) -> str:
    return text.replace("\u00c2\u00a7", "\u00a7").replace("\u00e2\u20ac\u201d", "\u2014").replace("??", "\u00a7")
