"""``phase-order``: BOOTSTRAP, SKELETON, SKELETON APPROVED, then implementation.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "phase-order"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(GOOD.replace("SKELETON APPROVED\n", ""), ["no SKELETON APPROVED marker"], id="no-approval-marker"),
        pytest.param(
            GOOD.replace("SKELETON APPROVED\n", "- SKELETON APPROVED\n"), ["inside a bullet"], id="marker-as-bullet"
        ),
    ],
)
def test_phase_order(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("SKELETON APPROVED\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
