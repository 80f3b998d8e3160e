"""The ``task-board-format`` rule. Its docstring is its documentation: ``govcheck explain task-board-format``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.board import task_board
from govcheck.model import Finding, Severity
from govcheck.parse.board import DONE, ENFORCED, FORMATS, SECTION_NAMES
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
    process=True,
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
    board = task_board(ctx)
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
