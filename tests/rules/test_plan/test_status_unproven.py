"""``status-unproven``: A Done packet whose TEST_PLAN does not pass now.

Cases as a table of packet_text, run_results -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from govcheck.model import CommandResult
from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "status-unproven"
CMD = "python3 -m pytest tests/test_timer.py"


@pytest.mark.parametrize(
    "packet_text, run_results, expected",
    [
        pytest.param(GOOD, None, [], id="not-run"),
        pytest.param(GOOD, [CommandResult(CMD, 34, "passed", exit_code=0)], [], id="done-and-passing"),
        pytest.param(
            GOOD,
            [CommandResult(CMD, 34, "failed", exit_code=1)],
            ["status 'Done' but 1 of 1 TEST_PLAN command(s) did not pass"],
            id="done-but-failing",
        ),
        pytest.param(
            GOOD.replace("**Status:** Done", "**Status:** In Progress"),
            [CommandResult(CMD, 34, "failed", exit_code=1)],
            [],
            id="in-progress-may-fail",
        ),
    ],
)
def test_status_unproven(packet_text, run_results, expected):
    assert_findings(check_rule(RULE, packet_text, run_results=run_results), expected)


def test_waiver_marks_every_finding():
    broken = GOOD
    assert check_rule(RULE, broken, run_results=[CommandResult(CMD, 34, "failed", exit_code=1)])
    assert_waived(
        check_rule(RULE, with_waiver(broken, RULE), run_results=[CommandResult(CMD, 34, "failed", exit_code=1)])
    )
