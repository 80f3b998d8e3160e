"""``done-means-missing``: DONE_MEANS must exist and list criteria.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

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
