"""``non-ascii``: Packets with PACKET_FORMAT_VERSION must be ASCII-only.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "non-ascii"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("A lease timer that", "A lease timer \u2014 one that"),
            ["non-ASCII text: U+2014"],
            id="em-dash",
        ),
        pytest.param(
            GOOD.replace("A lease timer that", "A lease timer \u00c2\u00a7 that"), ["mojibake"], id="mojibake"
        ),
        pytest.param(
            GOOD.replace("- PACKET_FORMAT_VERSION: 2026-02-01\n", "").replace(
                "A lease timer that", "A lease timer \u2014 one that"
            ),
            [],
            id="older-packets-may",
        ),
    ],
)
def test_non_ascii(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("A lease timer that", "A lease timer \u2014 one that")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
