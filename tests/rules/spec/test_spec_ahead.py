"""``spec-ahead``: Anchored to a newer spec version than SPEC_CURRENT names.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    rule_ids,
    with_waiver,
)

RULE = "spec-ahead"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("v02.50", "v02.60"),
            ["anchored to v02.60, newer than SPEC_CURRENT's v02.50"],
            id="newer-version",
        ),
        pytest.param(GOOD.replace("v02.50", "v02.40"), [], id="older-is-not-ahead"),
    ],
)
def test_spec_ahead(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("v02.50", "v02.60")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_versions_compare_numerically(storage_repo):
    # 02.100 is newer than 02.93, so the packet is ahead, not stale.
    write_packet(storage_repo, WP, GOOD_GEN2.replace("v02.93.md", "v02.100.md"))
    rules = rule_ids(storage_repo)
    assert "spec-stale" not in rules
    assert "spec-ahead" in rules
