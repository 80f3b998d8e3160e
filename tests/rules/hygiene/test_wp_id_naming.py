"""``wp-id-naming``: Packet ids hold no date stamp, and revisions are -vN.

Cases as a table of wp_id -> expected message fragments
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
    rule_findings,
    with_waiver,
)

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


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


@pytest.mark.parametrize(
    "bad_id, problem",
    [
        ("WP-1-Job-Queue-20260112", "date"),
        ("WP-1-Job-Queue-2026-01-12", "date"),
        ("WP-1-Job-Queue-T1530", "date"),
        ("WP-1-Job-Queue-V2", "revision"),
        ("WP-1-Job-Queue_v2", "revision"),
        ("WP-1-Job-Queue-rev2", "revision"),
        ("WP-1-Job-Queue-v02", "revision"),
        ("WP-1-Job-Queue-v0.1", "revision"),
    ],
)
def test_wp_id_naming_fails(storage_repo, bad_id, problem):
    write_packet(storage_repo, bad_id, GOOD_GEN2.replace(WP, bad_id))
    got = rule_findings(storage_repo, "wp-id-naming", bad_id)
    assert [(f["line"], f["data"]["problem"], f["codex"]) for f in got] == [(5, problem, "CX-580C")]


def test_wp_id_naming_passes_good_names():
    from govcheck.rules.hygiene.wp_id_naming import naming_problems

    for good in ("WP-1-Job-Queue", "WP-1-Job-Queue-v2", "WP-1-Job-Queue-v10", "WP-1-MEX-v1.2-Runtime-v3", "WP-1-Response-Behavior-ANS-001"):
        assert naming_problems(good) == [], good
    assert [k for k, _ in naming_problems("Job-Queue")] == ["prefix"]
