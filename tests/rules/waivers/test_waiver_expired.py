"""``waiver-expired``: A waiver past its expiry date no longer applies (warning).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, check_rule, waived

RULE = "waiver-expired"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="no-waivers"),
        pytest.param(waived("spec-stale", " | Expires: 2026-06-30", old=True), [], id="still-valid"),
        pytest.param(
            waived("spec-stale", " | Expires: 2026-02-20", old=True),
            ["W-9 (packet) expired on 2026-02-20; it is not applied"],
            id="expired",
        ),
    ],
)
def test_waiver_expired(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_cannot_waive_a_waiver_finding():
    # Waiver rules run after waivers are applied (scope "post"): naming one
    # in a waiver marks none of its findings.
    found = check_rule(RULE, waived("waiver-expired", " | Expires: 2026-02-20"))
    assert found and all(f.waived_by is None for f in found)
