"""``risk-map-hit``: Backticked RISK_MAP patterns found in the in-scope code (info).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "risk-map-hit"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("`wallclock(`", "`LeaseTimer(`"),
            ["RISK_MAP pattern `LeaseTimer(` in src/timer.py:9"],
            id="pattern-found",
        ),
    ],
)
def test_risk_map_hit(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("`wallclock(`", "`LeaseTimer(`")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
