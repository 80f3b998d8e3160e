"""``done-means-vague``: A criterion that names no observable outcome (warning).

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

RULE = "done-means-vague"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("- The shared timer holds leases for thirty seconds.\n", "- Make it better.\n"),
            ["DONE_MEANS criterion names no observable outcome: 'Make it better.'"],
            id="vague",
        ),
    ],
)
def test_done_means_vague(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("- The shared timer holds leases for thirty seconds.\n", "- Make it better.\n")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_done_means_vague_is_a_warning(storage_repo):
    variant(storage_repo, "- An acknowledged job is removed from the queue.\n", "- Improve things.\n")
    code, report = validate_json(storage_repo, WP)
    vague = findings(report, rule="done-means-vague")
    assert vague and vague[0]["severity"] == "warning"
