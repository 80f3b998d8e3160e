"""``spec-ref-conflict``: Authority fields naming different spec versions (warning).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import findings, validate_json

from rules.harness import (
    GOOD,
    SPEC_FILE,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    variant,
    with_waiver,
)

RULE = "spec-ref-conflict"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("- SPEC_BASELINE: " + SPEC_FILE, "- SPEC_BASELINE: Handshake_Master_Spec_v02.45.md"),
            ["packet names v02.45 besides v02.50"],
            id="baseline-disagrees",
        ),
    ],
)
def test_spec_ref_conflict(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("- SPEC_BASELINE: " + SPEC_FILE, "- SPEC_BASELINE: Handshake_Master_Spec_v02.45.md")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_spec_ref_conflict_warns(storage_repo):
    variant(storage_repo, "v02.93.md (recorded_at", "v02.90.md (recorded_at")
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="spec-ref-conflict")
    assert got and got[0]["severity"] == "warning" and got[0]["line"] == 46
