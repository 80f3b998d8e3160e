"""``done-means-missing``: DONE_MEANS must exist and list criteria.

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

RULE = "done-means-missing"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace(
                "### DONE_MEANS\n- A lease reports expired once its seconds have elapsed.\n- The shared timer holds leases for thirty seconds.\n",
                "",
            ),
            ["DONE_MEANS is missing"],
            id="no-section",
        ),
        pytest.param(
            GOOD.replace(
                "### DONE_MEANS\n- A lease reports expired once its seconds have elapsed.\n- The shared timer holds leases for thirty seconds.\n",
                "### DONE_MEANS\n\n",
            ),
            ["DONE_MEANS"],
            id="no-criteria",
        ),
    ],
)
def test_done_means_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace(
        "### DONE_MEANS\n- A lease reports expired once its seconds have elapsed.\n- The shared timer holds leases for thirty seconds.\n",
        "",
    )
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_done_means_missing_on_the_storage_fixture(storage_repo):
    start = GOOD_GEN2.index("### DONE_MEANS")
    end = GOOD_GEN2.index("### ROLLBACK_HINT")
    write_packet(storage_repo, WP, GOOD_GEN2[:start] + GOOD_GEN2[end:])
    assert "done-means-missing" in rule_ids(storage_repo)


def test_done_means_empty(storage_repo):
    start = GOOD_GEN2.index("### DONE_MEANS") + len("### DONE_MEANS\n")
    end = GOOD_GEN2.index("### ROLLBACK_HINT")
    write_packet(storage_repo, WP, GOOD_GEN2[:start] + "\n" + GOOD_GEN2[end:])
    assert "done-means-missing" in rule_ids(storage_repo)
