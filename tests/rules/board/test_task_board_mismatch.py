"""``task-board-mismatch``: The task board must agree with the packets (repo rule).

Cases as a table of board -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, check_rule, with_waiver

RULE = "task-board-mismatch"
BOARD = ".GOV/roles_shared/TASK_BOARD.md"
WRONG_SECTION = "# Task Board\n\n## In Progress\n- **[WP-1-Lease-Timer]** - [IN_PROGRESS]\n"
DONE_BOARD = "# Task Board\n\n## Done\n- **[WP-1-Lease-Timer]** - [VALIDATED]\n"
# A modern packet listed as Done needs the validator's verdict line.
VALIDATED = GOOD + "### Validation 2026-02-12\n- Verdict: PASS\n"


@pytest.mark.parametrize(
    "packet_text, board, expected",
    [
        pytest.param(VALIDATED, None, [], id="no-board"),
        pytest.param(VALIDATED, DONE_BOARD, [], id="agrees"),
        pytest.param(
            GOOD,
            DONE_BOARD,
            ["is marked [VALIDATED] but its packet (PACKET_FORMAT_VERSION) has no validator verdict"],
            id="done-without-verdict",
        ),
        pytest.param(
            VALIDATED,
            WRONG_SECTION,
            ["board lists WP-1-Lease-Timer under In Progress but its Status is Done"],
            id="wrong-section",
        ),
        pytest.param(
            VALIDATED,
            "# Task Board\n\n## Done\n- **[WP-1-Never-Written]** - [VALIDATED]\n",
            ["WP-1-Never-Written is listed under Done but no such packet exists"],
            id="no-such-packet",
        ),
    ],
)
def test_task_board_mismatch(packet_text, board, expected):
    assert_findings(check_rule(RULE, packet_text, files={BOARD: board} if board else {}), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(VALIDATED, RULE), files={BOARD: WRONG_SECTION})
    assert found and all(f.waived_by is None for f in found)
    assert (
        check_rule(
            RULE,
            VALIDATED,
            files={BOARD: WRONG_SECTION},
            config="rules:\n  task-board-mismatch:\n    severity: 'off'\n",
        )
        == []
    )
