"""``spec-unanchored``: A packet that names no spec version at all.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "spec-unanchored"
UNANCHORED = "\n".join(line for line in GOOD.split("\n") if not line.startswith(("- SPEC_BASELINE", "- SPEC_ANCHOR")))


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            UNANCHORED,
            ["packet names no spec version (only the pointer .GOV/roles_shared/SPEC_CURRENT.md"],
            id="only-the-pointer",
        ),
    ],
)
def test_spec_unanchored(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = UNANCHORED
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
