"""``placeholder-left``: Template placeholders left in required fields.

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
    rule_ids,
    variant,
    with_waiver,
)

RULE = "placeholder-left"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("USER_SIGNATURE: test-owner-20260210", "USER_SIGNATURE: {{USER_SIGNATURE}}"),
            ["USER_SIGNATURE still holds the placeholder '{{USER_SIGNATURE}}'"],
            id="signature-placeholder",
        ),
        pytest.param(
            GOOD.replace("RISK_TIER: MEDIUM", "RISK_TIER: LOW | MEDIUM | HIGH"),
            ["RISK_TIER still holds the placeholder"],
            id="choice-list-left",
        ),
    ],
)
def test_placeholder_left(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("USER_SIGNATURE: test-owner-20260210", "USER_SIGNATURE: {{USER_SIGNATURE}}")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_placeholder_left_on_the_storage_fixture(storage_repo):
    variant(storage_repo, "USER_SIGNATURE: fixture-owner-20260112", "USER_SIGNATURE: {{USER_SIGNATURE}}")
    assert "placeholder-left" in rule_ids(storage_repo)
