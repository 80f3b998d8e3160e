"""``evidence-missing-file``: Evidence must point at files and lines that exist.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "evidence-missing-file"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("src/timer.py:9", "src/timer.py:99"),
            ["src/timer.py has 9 line(s); src/timer.py:99 points past its end"],
            id="line-past-the-end",
        ),
        pytest.param(
            GOOD.replace("src/timer.py:9", "src/clock.py:3"), ["src/clock.py does not exist"], id="no-such-file"
        ),
    ],
)
def test_evidence_missing_file(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("src/timer.py:9", "src/timer.py:99")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
