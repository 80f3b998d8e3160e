"""``spec-anchor-missing``: Anchored section numbers must exist in the current spec.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "spec-anchor-missing"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 9.9"),
            ["anchored section 9.9 (from 9.9) does not exist"],
            id="unknown-section",
        ),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "7.1"), ["anchored section 7.1"], id="fenced-heading-is-no-section"
        ),
    ],
)
def test_spec_anchor_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 9.9")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
