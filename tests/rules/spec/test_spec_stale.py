"""``spec-stale``: Anchored to an older spec version than SPEC_CURRENT names.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    rule_ids,
    with_waiver,
)

RULE = "spec-stale"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("v02.50", "v02.40"),
            ["packet is anchored to v02.40 (SPEC_ANCHOR, line 46); SPEC_CURRENT names v02.50"],
            id="older-version",
        ),
        pytest.param(GOOD.replace("v02.50", "v02.100"), [], id="numeric-not-text-order"),
    ],
)
def test_spec_stale(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("v02.50", "v02.40")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_spec_stale_fails_old_baseline(storage_repo):
    write_packet(storage_repo, WP, GOOD_GEN2.replace("v02.93.md", "v02.90.md"))
    _, report = validate_json(storage_repo, WP)
    stale = findings(report, rule="spec-stale")
    assert len(stale) == 1
    assert stale[0]["data"]["packet_version"] == "02.90"
    assert stale[0]["data"]["current_version"] == "02.93"
    assert stale[0]["line"] == 48  # the SPEC_ANCHOR line: it names the file the sections are in


def test_versions_in_old_validation_reports_are_history(storage_repo):
    text = GOOD_GEN2 + (
        "\n## VALIDATION REPORT — 2026-01-01\nVerdict: FAIL\n"
        "- Spec: Packet references Handshake_Master_Spec_v02.80.md; see §9.1.2.\n"
    )
    write_packet(storage_repo, WP, text)
    rules = rule_ids(storage_repo)
    assert "spec-stale" not in rules and "spec-anchor-missing" not in rules


def test_closed_packet_whose_anchored_sections_did_not_change_is_info_only():
    """Not stale in substance: the section it anchors reads the same in its
    version and the current one, so the finding does not weigh on the verdict."""
    from govcheck.model import Severity
    from rules.harness import SPEC

    old = SPEC.replace("v02.50", "v02.40")
    found = check_rule(RULE, GOOD.replace("v02.50", "v02.40"), files={"Handshake_Master_Spec_v02.40.md": old})
    assert len(found) == 1 and found[0].severity is Severity.INFO
    assert "not stale in substance" in found[0].message and found[0].data["changed_sections"] == []
    active = GOOD.replace("v02.50", "v02.40").replace("- **Status:** Done", "- **Status:** In Progress")
    found = check_rule(RULE, active, files={"Handshake_Master_Spec_v02.40.md": old})
    assert found[0].severity is Severity.ERROR and "not stale in substance" not in found[0].message
