"""``done-means-placeholder``: A criterion that is still template text.

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

RULE = "done-means-placeholder"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("- The shared timer holds leases for thirty seconds.\n", "- tbd\n"),
            ["DONE_MEANS criterion is a placeholder: 'tbd'"],
            id="tbd",
        ),
        pytest.param(
            GOOD.replace("- The shared timer holds leases for thirty seconds.\n", "- <fill>\n"),
            ["placeholder"],
            id="fill-marker",
        ),
    ],
)
def test_done_means_placeholder(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("- The shared timer holds leases for thirty seconds.\n", "- tbd\n")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


@pytest.mark.parametrize("placeholder", ["tbd", "{{DONE_MEANS_1}}", "<fill>", "measurable criterion 1"])
def test_done_means_placeholder_on_the_storage_fixture(storage_repo, placeholder):
    variant(storage_repo, "- An acknowledged job is removed from the queue.\n", f"- {placeholder}\n")
    assert "done-means-placeholder" in rule_ids(storage_repo)
