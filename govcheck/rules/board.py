"""The task board: its line formats, and whether it agrees with the packets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping

from govcheck.engine.context import Context
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet, Severity
from govcheck.rules import ERROR, hit, rule
from govcheck.parse.vocabulary import STATUS_VOCABULARY

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


def _board(ctx: Context) -> tuple[str, list[BoardLine]] | None:
    path = ctx.repo.task_board_path
    if path is None:
        return None
    cache = ctx.__dict__.setdefault("_govcheck_board", {})
    if path not in cache:
        try:
            cache[path] = parse_board(ctx.repo.read_text(path))
        except GovcheckError:
            cache[path] = None
    lines = cache[path]
    return None if lines is None else (path, lines)


def _expected(key: str) -> str:
    tokens, rest_ok = FORMATS[key]
    token = tokens[0] if len(tokens) == 1 else "|".join(tokens[:3]) if key == DONE else "|".join(tokens)
    return f"`- **[WP_ID]** - [{token}]" + (" - <reason>`" if rest_ok else "`")


@rule(
    "task-board-format",
    severity=ERROR,
    scope="repo",
    summary="A task board entry does not have its section's format",
    options={
        "recommended_severity": {
            "enum": ["error", "warning", "info"],
            "description": "Severity for Ready for Dev, Stub Backlog and Blocked entries (formats the reference board recommends but does not enforce)",
        }
    },
)
def task_board_format(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every list item in these ``## `` sections of the task board (outside
    code fences) has the section's entry format:

    * In Progress: ``- **[WP_ID]** - [IN_PROGRESS]``
    * Done: ``- **[WP_ID]** - [VALIDATED|FAIL|OUTDATED_ONLY]`` (later
      boards also use ``[MERGE_PENDING]`` and ``[ABANDONED]``: accepted)
    * Superseded ...: ``- **[WP_ID]** - [SUPERSEDED]``
    * Ready for Dev: ``- **[WP_ID]** - [READY_FOR_DEV]``
    * Stub Backlog: ``- **[WP_ID]** - [STUB]``
    * Blocked: ``- **[WP_ID]** - [BLOCKED]``, optionally ``- <reason>``

    The first three are what the reference project's task-board-check
    enforces; they are errors. Its board lists the last three as
    "recommended (not currently enforced)", so they are reported as
    warnings (option ``recommended_severity``). Other sections (Active,
    Spec Authority Rule, ...) are free-form. Nested bullets under an entry
    are findings too: details belong in the packet. No task board, no
    findings.

    Why
    The board is read by scripts (one line, one packet, one token); legacy
    lines such as ``- **[WP-1-X]** / FAIL: text. [READY FOR DEV]`` carry
    status in prose that drifts from the packet.

    How to fix
    Rewrite the line in the expected format and move the prose into the
    packet (STATUS_HANDOFF or a validation report).

    Example
        ## Ready for Dev
        - **[WP-1-Calendar-Lens]** / FAIL: Local ActivitySpan UI. [READY FOR DEV]
    gives ``task-board-format: Ready for Dev entries must be
    `- **[WP_ID]** - [READY_FOR_DEV]```.
    """
    board = _board(ctx)
    if board is None:
        return
    path, lines = board
    rec = ctx.options("task-board-format").get("recommended_severity", "warning")
    for bl in lines:
        if bl.well_formed or bl.section not in FORMATS:
            continue
        name = SECTION_NAMES[bl.section]
        if bl.token and bl.token in _all_tokens() and bl.token not in FORMATS[bl.section][0]:
            why = f"[{bl.token}] does not belong in {name}"
        else:
            why = f"got '{bl.text.strip()[:120]}'"
        yield hit(
            f"{name} entries must be {_expected(bl.section)}: {why}",
            line=bl.line,
            path=path,
            data={"section": bl.heading, "expected": _expected(bl.section).strip("`"), "text": bl.text.strip()[:200],
                  "wp_id": bl.wp_id},
            severity=None if bl.section in ENFORCED else Severity(rec),
        )


def _all_tokens() -> set[str]:
    return {t for tokens, _ in FORMATS.values() for t in tokens}


# Board section -> packet statuses (normalised, see parse.vocabulary.normalize_status)
# that agree with it. Superseded entries keep whatever status the packet had
# when it was replaced: not compared.
STATUS_MAP: Mapping[str, tuple[str, ...]] = {
    IN_PROGRESS: ("in progress",),
    DONE: ("done", "done (historical)", "validated"),
    READY: ("ready for dev",),
    STUB: ("stub",),
    BLOCKED: ("blocked",),
}

_VERDICT_LINE_RE = re.compile(
    r"^\W*(?:\*\*)?\s*verdict\s*(?:\*\*)?\s*:\s*(?:\*\*)?\s*\[?(PASS|FAIL|OUTDATED_ONLY)\b", re.I
)


def _load(ctx: Context, wp_id: str) -> Packet | None:
    return ctx.packet(wp_id)


def _stub_path(ctx: Context, wp_id: str) -> str | None:
    for d in ctx.repo.packet_dirs:
        # Contract-era stubs are JSON (WP_ID.contract.json, WP_ID.json).
        for cand in (f"{d}/stubs/{wp_id}.md", f"{d}/stubs/{wp_id}/packet.md",
                     f"{d}/stubs/{wp_id}.contract.json", f"{d}/stubs/{wp_id}.json"):
            if ctx.repo.is_file(cand):
                return cand
    return None


def _archived_path(ctx: Context, wp_id: str) -> str | None:
    for d in ctx.repo.packet_dirs:
        for cand in (f"{d}/_archive/{wp_id}.md", f"{d}/_archive/{wp_id}/packet.md"):
            if ctx.repo.is_file(cand):
                return cand
    return None


def _has_verdict(packet: Packet, ctx: Context) -> bool:
    if any(r.verdict for r in packet.validation_reports):
        return True
    try:
        text = ctx.repo.read_text(packet.path)
    except GovcheckError:
        return False
    return any(_VERDICT_LINE_RE.match(re.sub(r"^\s*[-*+]\s+", "", ln)) for ln in text.split("\n"))


@rule(
    "task-board-mismatch",
    severity=ERROR,
    scope="repo",
    summary="The task board disagrees with the packets",
)
def task_board_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each packet the task board lists (well formed or not) against the
    packet itself:

    * the packet exists. Stub Backlog entries need a stub file
      (``<packet dir>/stubs/WP_ID.md``; stubs are not packets); an entry in
      any other section needs a real packet (a packet that exists only as a
      stub is reported as such). Superseded entries may also point at
      ``_archive/``.
    * the board's section agrees with the packet's Status. Mapping (Status
      compared case-insensitively, bracketed suffixes dropped):
        In Progress   -> In Progress
        Done          -> Done, Done (Historical), Validated
        Ready for Dev -> Ready for Dev
        Stub Backlog  -> STUB (the stub file's status)
        Blocked       -> Blocked
        Superseded    -> any (a replaced packet keeps its last status)
      A packet whose Status is missing or outside the vocabulary is left to
      field-missing / field-invalid.
    * a Done entry whose packet is in the modern format (it declares
      PACKET_FORMAT_VERSION) has a validator verdict line
      (``Verdict: PASS|FAIL|OUTDATED_ONLY``) in the packet.
    * a packet is listed in one section only.

    When govcheck validates named packets (not ``--all``), statuses are
    compared for those packets' entries only; existence and duplicate
    entries are checked for the whole board.

    Why
    The board is the project's status summary; the packet is the
    authority. A board that says Done while the packet is still In
    Progress, or that names packets which do not exist, misleads everyone
    reading it. A modern packet marked Done without a verdict was moved by
    a status sync rather than by a validator (the reference project's
    task-board-check semantic guard).

    How to fix
    Move the entry to the section that matches the packet (or update the
    packet's Status if the board is right); remove entries for packets
    that do not exist; append the validator's report with its Verdict line
    before moving a packet to Done.

    Example
        ## Done
        - **[WP-1-Global-Silent-Edit-Guard]** - [VALIDATED]
    while the packet reads ``**Status:** In Progress`` gives
    ``task-board-mismatch: board lists WP-1-Global-Silent-Edit-Guard under
    Done but its Status is In Progress``.
    """
    board = _board(ctx)
    if board is None:
        return
    path, lines = board
    seen: dict[str, BoardLine] = {}
    for bl in lines:
        if bl.wp_id is None or bl.section not in FORMATS:
            continue
        name = SECTION_NAMES[bl.section]
        first = seen.get(bl.wp_id)
        if first is not None:
            if first.section != bl.section:
                yield hit(
                    f"{bl.wp_id} is listed under {name} and also under {SECTION_NAMES[first.section]} (line {first.line})",
                    line=bl.line, path=path,
                    data={"wp_id": bl.wp_id, "sections": [first.heading, bl.heading], "lines": [first.line, bl.line]},
                )
            if first.section == bl.section:
                continue
        else:
            seen[bl.wp_id] = bl
        base = {"wp_id": bl.wp_id, "section": bl.heading}
        if bl.section == STUB:
            stub = _stub_path(ctx, bl.wp_id)
            if stub is None and bl.wp_id not in ctx.repo.packets:
                yield hit(f"{bl.wp_id} is listed under {name} but has no stub file (stubs/{bl.wp_id}.md)",
                          line=bl.line, path=path, data=base)
            continue  # a stub's status is the stub itself; an activated one is fine to list until the board moves it
        if bl.wp_id not in ctx.repo.packets:
            packet = None
        elif not ctx.all_packets and bl.wp_id not in ctx.packets:
            # A run over named packets compares only their entries: the rest
            # of the board is judged by `validate --all` (and by `ci` when the
            # board itself changes).
            continue
        else:
            packet = _load(ctx, bl.wp_id)
        if packet is None:
            if bl.section == SUPERSEDED and _archived_path(ctx, bl.wp_id):
                continue
            stub = _stub_path(ctx, bl.wp_id)
            why = f"only a stub exists ({stub})" if stub else "no such packet exists"
            yield hit(f"{bl.wp_id} is listed under {name} but {why}", line=bl.line, path=path,
                      data={**base, "stub": stub})
            continue
        if bl.section in STATUS_MAP and packet.status is not None:
            norm = packet.status_norm
            if norm in STATUS_VOCABULARY and norm not in STATUS_MAP[bl.section]:
                yield hit(
                    f"board lists {bl.wp_id} under {name} but its Status is {packet.status.value[:40]} "
                    f"({packet.path}:{packet.status.line})",
                    line=bl.line, path=path,
                    data={**base, "packet_status": packet.status.value, "packet_path": packet.path,
                          "packet_line": packet.status.line},
                )
        if bl.section == DONE and packet.format_version is not None and not _has_verdict(packet, ctx):
            token = f"[{bl.token}]" if bl.token else "Done"
            yield hit(
                f"{bl.wp_id} is marked {token} but its packet (PACKET_FORMAT_VERSION) has no validator verdict line "
                "(Verdict: PASS|FAIL|OUTDATED_ONLY under ## VALIDATION_REPORTS)",
                line=bl.line, path=path, data={**base, "packet_path": packet.path},
            )
