"""``lineage-missing``: A -vN revision needs a lineage audit.

Cases as a table of packet_text, wp_id -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    WP_ID,
    assert_findings,
    assert_waived,
    check_rule,
    with_waiver,
)

RULE = "lineage-missing"
WITH_AUDIT = GOOD.replace(
    "## BOOTSTRAP", "## LINEAGE_AUDIT\n- WP-1-Lease-Timer: first version; every criterion kept.\n\n## BOOTSTRAP"
)


@pytest.mark.parametrize(
    "packet_text, wp_id, expected",
    [
        pytest.param(GOOD, WP_ID, [], id="first-version"),
        pytest.param(WITH_AUDIT, "WP-1-Lease-Timer-v2", [], id="revision-with-audit"),
        pytest.param(
            GOOD,
            "WP-1-Lease-Timer-v2",
            ["revision packet WP-1-Lease-Timer-v2 has no LINEAGE_AUDIT section"],
            id="revision-without-audit",
        ),
        pytest.param(
            GOOD.replace("## BOOTSTRAP", "## LINEAGE_AUDIT\n- N/A\n\n## BOOTSTRAP"),
            "WP-1-Lease-Timer-v2",
            ["is empty"],
            id="audit-says-nothing",
        ),
    ],
)
def test_lineage_missing(packet_text, wp_id, expected):
    assert_findings(check_rule(RULE, packet_text, wp_id=wp_id), expected)


def test_waiver_marks_every_finding():
    broken = GOOD
    assert check_rule(RULE, broken, wp_id="WP-1-Lease-Timer-v2")
    assert_waived(check_rule(RULE, with_waiver(broken, RULE), wp_id="WP-1-Lease-Timer-v2"))
