"""``field-missing``: Fields every packet needs.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "field-missing"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("### ROLLBACK_HINT\n```bash\ngit revert <timer-commit>\n```\n", ""),
            ["ROLLBACK_HINT is missing"],
            id="no-rollback-hint",
        ),
        pytest.param(
            GOOD.replace("- END_TO_END_CLOSURE_PLAN_APPLICABLE: NO\n", ""),
            ["END_TO_END_CLOSURE_PLAN_APPLICABLE is missing"],
            id="no-closure-plan",
        ),
    ],
)
def test_field_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("### ROLLBACK_HINT\n```bash\ngit revert <timer-commit>\n```\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
