"""The task board's text as frozen lines: which ``##`` section each list
item sits in, the packet id it names, and whether it has its section's
entry format. Reading the file is the caller's (through Repo)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

# Section keys, from a ``## `` heading's title (case-insensitive prefix;
# emoji and other decoration ignored).
IN_PROGRESS, DONE, SUPERSEDED = "IN_PROGRESS", "DONE", "SUPERSEDED"
READY, STUB, BLOCKED, ACTIVE = "READY_FOR_DEV", "STUB", "BLOCKED", "ACTIVE"


SECTION_NAMES = {
    IN_PROGRESS: "In Progress",
    DONE: "Done",
    SUPERSEDED: "Superseded",
    READY: "Ready for Dev",
    STUB: "Stub Backlog",
    BLOCKED: "Blocked",
}


# The format each section's entries must have: allowed tokens, and whether
# text may follow the token (" - <reason>" on Blocked entries).
# Done also takes the later era's MERGE_PENDING and ABANDONED tokens.
FORMATS: Mapping[str, tuple[tuple[str, ...], bool]] = {
    IN_PROGRESS: (("IN_PROGRESS",), False),
    DONE: (("VALIDATED", "FAIL", "OUTDATED_ONLY", "MERGE_PENDING", "ABANDONED"), False),
    SUPERSEDED: (("SUPERSEDED",), False),
    READY: (("READY_FOR_DEV",), False),
    STUB: (("STUB",), False),
    BLOCKED: (("BLOCKED",), True),
}


# Sections the reference project's task-board-check enforces; the others'
# formats are "recommended" on its board and reported at a lower level.
ENFORCED = (IN_PROGRESS, DONE, SUPERSEDED)

_ENTRY_RE = re.compile(r"^-\s+\*\*\[(?P<id>WP-[^\]\s]+)\]\*\*\s+-\s+\[(?P<token>[A-Z_]+)\](?P<rest>.*)$")


# Any line that names a packet the way board entries do, well formed or not.
_ANY_ID_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\S+\s+)?\*{0,2}\[?(?P<id>WP-[A-Za-z0-9][A-Za-z0-9._-]*?)[\]*\s:]")


_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


_RULE_LINE_RE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")


@dataclass(frozen=True)
class BoardLine:
    """A list item of a board section (an entry, well formed or not)."""

    section: str  # a key above
    heading: str
    line: int
    text: str
    wp_id: str | None  # the packet id it names, if any
    token: str | None  # the [TOKEN] of a well-formed entry
    well_formed: bool


def section_key(title: str) -> str | None:
    t = " ".join(re.sub(r"[^a-z ]+", " ", title.lower()).split())
    if t.startswith("in progress"):
        return IN_PROGRESS
    if t == "done" or t.startswith("done "):
        return DONE
    if t.startswith("superseded"):
        return SUPERSEDED
    if t.startswith("ready for dev"):
        return READY
    if t.startswith("stub") or "stub backlog" in t:
        return STUB
    if t.startswith("blocked"):
        return BLOCKED
    if t.startswith("active"):
        return ACTIVE
    return None


def parse_board(text: str) -> list[BoardLine]:
    """Every top-level or nested list item inside a known ``##`` section,
    outside code fences. Horizontal rules are not items."""
    out: list[BoardLine] = []
    key: str | None = None
    heading = ""
    fence: str | None = None
    for n, raw in enumerate(text.split("\n"), 1):
        m = _FENCE_RE.match(raw)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not raw.strip()[len(m.group(1)):].strip():
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        hm = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", raw)
        if hm:
            if len(hm.group(1)) <= 2:
                key, heading = section_key(hm.group(2)), hm.group(2).strip()
            continue
        if key is None or not raw.strip().startswith("-") or _RULE_LINE_RE.match(raw):
            continue
        em = _ENTRY_RE.match(raw.rstrip())
        if em:
            tokens, rest_ok = FORMATS.get(key, ((), True))
            rest = em.group("rest").strip()
            ok = em.group("token") in tokens and (not rest or (rest_ok and rest.startswith("-")))
            out.append(BoardLine(key, heading, n, raw.rstrip(), em.group("id"), em.group("token"), ok))
            continue
        im = _ANY_ID_RE.match(raw)
        out.append(BoardLine(key, heading, n, raw.rstrip(), im.group("id") if im else None, None, False))
    return out
