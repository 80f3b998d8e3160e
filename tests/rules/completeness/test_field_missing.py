"""``field-missing``: Fields every packet needs.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import findings, validate_json

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    variant,
    with_waiver,
)

RULE = "field-missing"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("### ROLLBACK_HINT\n```bash\ngit revert <timer-commit>\n```\n", ""),
            ["ROLLBACK_HINT is missing"],
            id="no-rollback-hint",
        ),
        pytest.param(
            GOOD.replace("- END_TO_END_CLOSURE_PLAN_APPLICABLE: NO\n", ""),
            ["END_TO_END_CLOSURE_PLAN_APPLICABLE is missing"],
            id="no-closure-plan",
        ),
    ],
)
def test_field_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("### ROLLBACK_HINT\n```bash\ngit revert <timer-commit>\n```\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("- RISK_TIER: LOW\n", "", "RISK_TIER"),
        ("- USER_SIGNATURE: fixture-owner-20260112\n", "", "USER_SIGNATURE"),
        ("### ROLLBACK_HINT\n```bash\ngit revert <job-queue-commit>\n```\n", "", "ROLLBACK_HINT"),
        ("- **Status:** Done\n", "", "Status"),
        ("## END_TO_END_CLOSURE_PLAN [CX-E2E-001]\n- END_TO_END_CLOSURE_PLAN_APPLICABLE: NO\n", "", "END_TO_END_CLOSURE_PLAN"),
    ],
)
def test_field_missing_on_the_storage_fixture(storage_repo, old, new, field):
    variant(storage_repo, old, new)
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="field-missing")
    assert any(field.upper() in (f["data"].get("field") or "").upper() for f in got), got


def test_spec_baseline_left_as_the_template_placeholder_is_named_as_such():
    text = GOOD.replace("- SPEC_BASELINE: Handshake_Master_Spec_v02.50.md (recorded_at: 2026-02-10)",
                        "- SPEC_BASELINE: Handshake_Master_Spec_vXX.XX.md (recorded_at: 2026-02-10)")
    assert text != GOOD
    found = [f for f in check_rule(RULE, text) if f.data.get("field") == "SPEC_BASELINE"]
    assert len(found) == 1 and "template placeholder" in found[0].message and "vXX.XX" in found[0].message
