"""``task-board-format``: Each task board section's entry format (repo rule).

Cases as a table of board -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import validate_json

from govcheck.parse.board import parse_board
from rules.harness import (
    BOARD,
    GOOD,
    GOOD_BOARD,
    assert_findings,
    check_rule,
    line_exactly,
    repo_findings,
    set_board,
    with_waiver,
)

RULE = "task-board-format"
PROSE_BOARD = "# Task Board\n\n## Done\n- **[WP-1-Lease-Timer]** finished [DONE]\n"


@pytest.mark.parametrize(
    "board, expected",
    [
        pytest.param(None, [], id="no-board"),
        pytest.param("# Task Board\n\n## Done\n- **[WP-1-Lease-Timer]** - [VALIDATED]\n", [], id="well-formed"),
        pytest.param(
            PROSE_BOARD, ["Done entries must be `- **[WP_ID]** - [VALIDATED|FAIL|OUTDATED_ONLY]`"], id="prose-entry"
        ),
        pytest.param(
            "# Task Board\n\n## In Progress\n- **[WP-1-Lease-Timer]** - [VALIDATED]\n",
            ["[VALIDATED] does not belong in In Progress"],
            id="wrong-token",
        ),
    ],
)
def test_task_board_format(board, expected):
    assert_findings(check_rule(RULE, GOOD, files={BOARD: board} if board else {}), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(GOOD, RULE), files={BOARD: PROSE_BOARD})
    assert found and all(f.waived_by is None for f in found)
    assert (
        check_rule(RULE, GOOD, files={BOARD: PROSE_BOARD}, config="rules:\n  task-board-format:\n    severity: 'off'\n")
        == []
    )


# -- from test_rules_phases_board.py: cases on the storage-foundation fixture ---------------------


def test_board_parse_keeps_lines_and_sections():
    lines = parse_board(GOOD_BOARD)
    assert [(b.section, b.wp_id, b.line, b.well_formed) for b in lines] == [
        ("READY_FOR_DEV", "WP-1-Ready", 4, True),
        ("STUB", "WP-1-Later", 7, True),
        ("DONE", "WP-1-Storage-Foundation", 12, True),
        ("BLOCKED", "WP-1-Wait", 15, True),
        ("SUPERSEDED", "WP-1-Old", 20, True),
    ]


def test_board_format_passes_the_fixture_board(storage_repo):
    assert repo_findings(storage_repo, "task-board-format") == []
    set_board(storage_repo, GOOD_BOARD)
    assert repo_findings(storage_repo, "task-board-format") == []


def test_board_format_legacy_lines(storage_repo):
    text = GOOD_BOARD.replace(
        "- **[WP-1-Ready]** - [READY_FOR_DEV]", "- **[WP-1-Ready]** / FAIL: text. [READY FOR DEV]"
    ).replace("- **[WP-1-Storage-Foundation]** - [VALIDATED]", "- **[WP-1-Storage-Foundation]** - VALIDATED (2025-12-27)")
    set_board(storage_repo, text)
    got = sorted(repo_findings(storage_repo, "task-board-format"), key=lambda f: f["line"])
    assert [(f["line"], f["severity"], f["path"]) for f in got] == [
        (4, "warning", BOARD),  # Ready for Dev: recommended format
        (12, "error", BOARD),  # Done: enforced format
    ]
    assert "`- **[WP_ID]** - [READY_FOR_DEV]`" in got[0]["message"]
    assert "Done entries must be `- **[WP_ID]** - [VALIDATED|FAIL|OUTDATED_ONLY]`" in got[1]["message"]


def test_board_format_wrong_token_and_fenced_example(storage_repo):
    text = GOOD_BOARD.replace("## In Progress\n", "## In Progress\n```\n- anything goes in a fence\n```\n- **[WP-1-X]** - [VALIDATED]\n")
    set_board(storage_repo, text)
    got = repo_findings(storage_repo, "task-board-format")
    assert [f["line"] for f in got] == [line_exactly(text, "- **[WP-1-X]** - [VALIDATED]")]
    assert "[VALIDATED] does not belong in In Progress" in got[0]["message"]


def test_board_format_recommended_severity_option(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  task-board-format:\n    recommended_severity: error\n")
    set_board(storage_repo, GOOD_BOARD.replace("[STUB]", "STUB"))
    got = repo_findings(storage_repo, "task-board-format")
    assert [(f["line"], f["severity"]) for f in got] == [(7, "error")]


def test_no_board_no_findings(storage_repo):
    (storage_repo / BOARD).unlink()
    _, report = validate_json(storage_repo, "--all")
    assert not [f for f in report.get("repo_findings") or [] if f["rule"].startswith("task-board")]
