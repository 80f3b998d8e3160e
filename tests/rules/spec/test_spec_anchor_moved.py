"""``spec-anchor-moved``: An anchored number whose content no longer matches what the packet says it is (warning).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "spec-anchor-moved"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "3.1 [CX-RT-010]"),
            ["no longer carries CX-RT-010; CX-RT-010 now heads 3.2"],
            id="tag-moved-elsewhere",
        ),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "5.4 (lease timers expiry)"),
            ["anchored 5.4 is now titled 'Audit log'"],
            id="title-does-not-match",
        ),
        pytest.param(GOOD.replace("3.1 (Lease timers)", "3.2 [CX-RT-010]"), [], id="tag-still-there"),
    ],
)
def test_spec_anchor_moved(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("3.1 (Lease timers)", "3.1 [CX-RT-010]")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
