"""``risk-map-hit``: Backticked RISK_MAP patterns found in the in-scope code (info).

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    rule_findings,
    set_config,
    with_waiver,
)

RULE = "risk-map-hit"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("`wallclock(`", "`LeaseTimer(`"),
            ["RISK_MAP pattern `LeaseTimer(` in src/timer.py:9"],
            id="pattern-found",
        ),
    ],
)
def test_risk_map_hit(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("`wallclock(`", "`LeaseTimer(`")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


RISKY = GOOD_GEN2.replace("  - Lease timed by the wall clock -> check for `time.time(`",
                          "  - Lease never expires -> check `visibility_timeout`")


def test_risk_map_hit_silent_when_nothing_matches(storage_repo):
    # the fixture's RISK_MAP names `time.time(`, which its code does not use
    assert rule_findings(storage_repo, "risk-map-hit") == []


def test_risk_map_hit_can_be_turned_off(storage_repo):
    write_packet(storage_repo, WP, RISKY)
    assert rule_findings(storage_repo, "risk-map-hit")
    set_config(storage_repo, "rules:\n  risk-map-hit:\n    enabled: false\n")
    assert rule_findings(storage_repo, "risk-map-hit") == []


def test_risk_map_hit_lists_review_locations(storage_repo):
    write_packet(storage_repo, WP, RISKY)
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, "risk-map-hit")
    assert code == 0  # info only: the packet still passes
    assert [(f["path"], f["line"], f["severity"]) for f in got] == [
        ("src/jobs/check_queue.py", 8, "info"),
        ("src/jobs/queue.py", 6, "info"),
        ("src/jobs/queue.py", 7, "info"),
        ("src/jobs/queue.py", 19, "info"),
    ]
    assert got[1]["data"]["pattern"] == "visibility_timeout" and "Lease never expires" in got[1]["data"]["risk"]


def test_risk_map_patterns_are_literal():
    from govcheck.parse.packet import parse_packet
    from govcheck.rules.scan.risk_map_hit import risk_patterns

    text = RISKY.replace(
        "  - Lease never expires -> check `visibility_timeout`",
        "  - SQL portability -> review migrations for `?1`, `strftime`, `CREATE TRIGGER`.",
    )
    packet = parse_packet(text.encode(), packet_id=WP, path="x.md")
    assert [p for p, _, _ in risk_patterns(packet)] == ["?1", "strftime", "CREATE TRIGGER"]
