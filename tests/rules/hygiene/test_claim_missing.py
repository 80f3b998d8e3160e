"""``claim-missing``: An In Progress packet names the coder model that claimed it.

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
    line_of,
    rule_findings,
    variant,
    with_waiver,
)

RULE = "claim-missing"
IN_PROGRESS = GOOD.replace("**Status:** Done", "**Status:** In Progress")


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="done-packet"),
        pytest.param(
            IN_PROGRESS.replace(
                "- ROLE: Coder\n", "- ROLE: Coder\n- CODER_MODEL: test-model-1\n- CODER_REASONING_STRENGTH: HIGH\n"
            ),
            [],
            id="claimed",
        ),
        pytest.param(IN_PROGRESS, ["names no CODER_MODEL", "names no CODER_REASONING_STRENGTH"], id="unclaimed"),
        pytest.param(
            IN_PROGRESS.replace(
                "- ROLE: Coder\n", "- ROLE: Coder\n- CODER_MODEL: <unclaimed>\n- CODER_REASONING_STRENGTH: HIGH\n"
            ),
            ["CODER_MODEL is '<unclaimed>' (unclaimed)"],
            id="placeholder-claim",
        ),
    ],
)
def test_claim_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = IN_PROGRESS
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_claim_missing_on_the_storage_fixture(storage_repo):
    text = variant(storage_repo, "**Status:** Done", "**Status:** In Progress")
    got = rule_findings(storage_repo, "claim-missing")
    status = line_of(text, "**Status:**")
    assert [(f["line"], f["data"]["field"]) for f in got] == [(status, "CODER_MODEL"), (status, "CODER_REASONING_STRENGTH")]


def test_claim_unclaimed_and_claimed(storage_repo):
    text = variant(storage_repo, "**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: <unclaimed>\n- CODER_REASONING_STRENGTH: HIGH")
    got = rule_findings(storage_repo, "claim-missing")
    assert [(f["line"], f["data"]["field"]) for f in got] == [(line_of(text, "CODER_MODEL"), "CODER_MODEL")]
    variant(storage_repo, "**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: gpt-5-codex\n- CODER_REASONING_STRENGTH: HIGH")
    assert rule_findings(storage_repo, "claim-missing") == []
    # Ready for Dev packets are not claimed yet
    variant(storage_repo, "**Status:** Done", "**Status:** Ready for Dev\n- CODER_MODEL: <unclaimed>")
    assert rule_findings(storage_repo, "claim-missing") == []
