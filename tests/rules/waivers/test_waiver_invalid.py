"""``waiver-invalid``: A waiver without id, date or justification waives nothing.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, check_rule, waived

RULE = "waiver-invalid"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="no-waivers"),
        pytest.param(waived("spec-stale", old=True), [], id="complete-waiver"),
        pytest.param(
            waived("spec-stale", old=True).replace(" Date: 2026-02-11 |", ""),
            ["W-9 (packet) is missing date; it is not applied"],
            id="no-date",
        ),
    ],
)
def test_waiver_invalid(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_cannot_waive_a_waiver_finding():
    # Waiver rules run after waivers are applied (scope "post"): naming one
    # in a waiver marks none of its findings.
    found = check_rule(RULE, waived("waiver-invalid").replace(" Date: 2026-02-11 |", ""))
    assert found and all(f.waived_by is None for f in found)
