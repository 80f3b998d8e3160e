"""``wp-id-naming``: Packet ids hold no date stamp, and revisions are -vN.

Cases as a table of wp_id -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "wp-id-naming"
LINEAGE = "## LINEAGE_AUDIT\n- WP-1-Lease-Timer: the first version; nothing dropped.\n\n## BOOTSTRAP"


def packet_for(wp_id: str) -> str:
    """The good packet under another id (with the lineage audit a -vN needs)."""
    return GOOD.replace("## BOOTSTRAP", LINEAGE)


@pytest.mark.parametrize(
    "wp_id, expected",
    [
        pytest.param("WP-1-Lease-Timer", [], id="plain-id"),
        pytest.param("WP-1-Lease-Timer-v3", [], id="revision"),
        pytest.param("WP-1-Lease-Timer-20260210", ["contains a date stamp '20260210'"], id="date-stamp"),
        pytest.param("WP-1-Lease-Timer-v02", ["revision suffix '-v02' is not '-vN'"], id="bad-revision"),
    ],
)
def test_wp_id_naming(wp_id, expected):
    assert_findings(check_rule(RULE, packet_for(wp_id), wp_id=wp_id), expected)


def test_waiver_marks_every_finding():
    broken = packet_for("WP-1-Lease-Timer-20260210")
    assert check_rule(RULE, broken, wp_id="WP-1-Lease-Timer-20260210")
    assert_waived(check_rule(RULE, with_waiver(broken, RULE), wp_id="WP-1-Lease-Timer-20260210"))
