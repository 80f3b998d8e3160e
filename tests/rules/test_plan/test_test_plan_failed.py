"""``test-plan-failed``: A TEST_PLAN command that failed, timed out or was refused.

Cases as a table of run_results -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from govcheck.model import CommandResult
from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "test-plan-failed"
CMD = "python3 -m pytest tests/test_timer.py"


@pytest.mark.parametrize(
    "run_results, expected",
    [
        pytest.param(None, [], id="not-run"),
        pytest.param([CommandResult(CMD, 34, "passed", exit_code=0)], [], id="passed"),
        pytest.param(
            [CommandResult(CMD, 34, "failed", exit_code=1)],
            ["`python3 -m pytest tests/test_timer.py` exit 1"],
            id="failed",
        ),
        pytest.param(
            [CommandResult(CMD, 34, "timeout", reason="ran past 600 s")],
            ["`python3 -m pytest tests/test_timer.py`"],
            id="timed-out",
        ),
    ],
)
def test_test_plan_failed(run_results, expected):
    assert_findings(check_rule(RULE, GOOD, run_results=run_results), expected)


def test_waiver_marks_every_finding():
    broken = GOOD
    assert check_rule(RULE, broken, run_results=[CommandResult(CMD, 34, "failed", exit_code=1)])
    assert_waived(
        check_rule(RULE, with_waiver(broken, RULE), run_results=[CommandResult(CMD, 34, "failed", exit_code=1)])
    )
