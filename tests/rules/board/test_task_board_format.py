"""``task-board-format``: Each task board section's entry format (repo rule).

Cases as a table of board -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, check_rule, with_waiver

RULE = "task-board-format"
BOARD = ".GOV/roles_shared/TASK_BOARD.md"
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
