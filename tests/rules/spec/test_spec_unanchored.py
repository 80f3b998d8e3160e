"""``spec-unanchored``: A packet that names no spec version at all.

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


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_spec_unanchored_on_the_storage_fixture(storage_repo):
    text = GOOD_GEN2
    for line in text.splitlines():
        if line.startswith(("- SPEC_BASELINE", "- SPEC_ANCHOR", "- SPEC_TARGET")):
            text = text.replace(line + "\n", "")
    write_packet(storage_repo, WP, text)
    assert "spec-unanchored" in rule_ids(storage_repo)
