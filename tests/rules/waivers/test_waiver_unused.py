"""``waiver-unused``: A waiver naming rules that raised no finding (warning).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, check_rule, waived

RULE = "waiver-unused"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="no-waivers"),
        pytest.param(waived("spec-stale", old=True), [], id="waiver-used"),
        pytest.param(
            waived("spec-stale"),
            ["W-9 (packet) waives spec-stale but no such finding was raised"],
            id="nothing-to-waive",
        ),
    ],
)
def test_waiver_unused(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_cannot_waive_a_waiver_finding():
    # Waiver rules run after waivers are applied (scope "post"): naming one
    # in a waiver marks none of its findings.
    found = check_rule(RULE, waived("waiver-unused"))
    assert found and all(f.waived_by is None for f in found)
