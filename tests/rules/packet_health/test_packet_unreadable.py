"""``packet-unreadable``: A packet must have text: an empty or whitespace-only file fails.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    assert_findings,
    assert_waived,
    check_rule,
    config_waiver,
)

RULE = "packet-unreadable"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param("", ["packet is empty"], id="empty-file"),
        pytest.param("  \n\n", ["packet holds only whitespace"], id="whitespace-only"),
    ],
)
def test_packet_unreadable(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_from_config_marks_the_finding():
    # An empty packet cannot hold a waiver: govcheck.yaml grants it.
    assert_waived(check_rule(RULE, "", config=config_waiver(RULE)), "W-CONFIG-TEST")
