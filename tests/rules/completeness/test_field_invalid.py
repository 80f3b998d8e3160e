"""``field-invalid``: Field values outside their vocabulary.

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

RULE = "field-invalid"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("RISK_TIER: MEDIUM", "RISK_TIER: SEVERE"),
            ["RISK_TIER 'SEVERE' is not one of LOW, MEDIUM, HIGH"],
            id="unknown-risk-tier",
        ),
        pytest.param(
            GOOD.replace("**Status:** Done", "**Status:** Mostly there"),
            ["Status 'Mostly there' is not a canonical status"],
            id="prose-status",
        ),
        pytest.param(
            GOOD.replace("**Status:** Done", "**Status:** Done [VALIDATED]"), [], id="decorated-status-is-fine"
        ),
    ],
)
def test_field_invalid(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("RISK_TIER: MEDIUM", "RISK_TIER: SEVERE")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_field_invalid_risk_tier(storage_repo):
    variant(storage_repo, "- RISK_TIER: LOW", "- RISK_TIER: SEVERE")
    assert "field-invalid" in rule_ids(storage_repo)


def test_field_invalid_status(storage_repo):
    variant(storage_repo, "- **Status:** Done", "- **Status:** Finished-ish")
    assert "field-invalid" in rule_ids(storage_repo)
