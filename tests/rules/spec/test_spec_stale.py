"""``spec-stale``: Anchored to an older spec version than SPEC_CURRENT names.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "spec-stale"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("v02.50", "v02.40"),
            ["packet is anchored to v02.40 (SPEC_ANCHOR, line 46); SPEC_CURRENT names v02.50"],
            id="older-version",
        ),
        pytest.param(GOOD.replace("v02.50", "v02.100"), [], id="numeric-not-text-order"),
    ],
)
def test_spec_stale(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("v02.50", "v02.40")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
