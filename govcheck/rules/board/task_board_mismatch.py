"""The ``task-board-mismatch`` rule. Its docstring is its documentation: ``govcheck explain task-board-mismatch``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Mapping

from govcheck.analysis.board import task_board
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.parse.board import (
    BLOCKED,
    DONE,
    FORMATS,
    IN_PROGRESS,
    READY,
    SECTION_NAMES,
    STUB,
    SUPERSEDED,
    BoardLine,
)
from govcheck.parse.vocabulary import STATUS_VOCABULARY
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
    return _packet_file_in(ctx, "stubs", wp_id)


def _archived_path(ctx: Context, wp_id: str) -> str | None:
    return _packet_file_in(ctx, "_archive", wp_id)


def _packet_file_in(ctx: Context, folder: str, wp_id: str) -> str | None:
    """The packet file of ``wp_id`` (flat or folder form) in ``folder`` of
    any packet directory, or None."""
    for d in ctx.repo.packet_dirs:
        # Contract-era stubs are JSON (WP_ID.contract.json, WP_ID.json).
        for cand in (f"{d}/{folder}/{wp_id}.md", f"{d}/{folder}/{wp_id}/packet.md",
                     f"{d}/{folder}/{wp_id}.contract.json", f"{d}/{folder}/{wp_id}.json"):
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
    process=True,
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
    board = task_board(ctx)
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
