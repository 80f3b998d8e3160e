"""``done-means-unevidenced``: A Done packet's criteria need evidence in the repo.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "done-means-unevidenced"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("  EVIDENCE: src/timer.py:9\n", ""),
            ["criterion has no evidence in the repo"],
            id="evidence-entry-without-path",
        ),
        pytest.param(
            GOOD.replace("  EVIDENCE: src/timer.py:9\n", "").replace("**Status:** Done", "**Status:** Ready for Dev"),
            [],
            id="not-needed-before-done",
        ),
    ],
)
def test_done_means_unevidenced(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("  EVIDENCE: src/timer.py:9\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
