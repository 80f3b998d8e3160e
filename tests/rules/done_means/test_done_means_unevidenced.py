"""``done-means-unevidenced``: A Done packet's criteria need evidence in the repo.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import findings, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    rule_ids,
    variant,
    with_waiver,
)

RULE = "done-means-unevidenced"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("  EVIDENCE: src/timer.py:9\n", ""),
            ["criterion has no evidence in the repo"],
            id="evidence-entry-without-path",
        ),
        pytest.param(
            GOOD.replace("  EVIDENCE: src/timer.py:9\n", "").replace("**Status:** Done", "**Status:** Ready for Dev"),
            [],
            id="not-needed-before-done",
        ),
    ],
)
def test_done_means_unevidenced(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("  EVIDENCE: src/timer.py:9\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_done_means_unevidenced_when_done(storage_repo):
    variant(storage_repo, "EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: src/jobs/queue.py:999")
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="done-means-unevidenced")
    assert len(got) == 1 and "acknowledged" in got[0]["message"]


def test_done_means_evidence_not_needed_before_done(storage_repo):
    variant(storage_repo, "- **Status:** Done", "- **Status:** In Progress")
    text = (storage_repo / ".GOV/task_packets" / f"{WP}.md").read_text()
    write_packet(storage_repo, WP, text.replace("EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: nowhere.py:1"))
    assert "done-means-unevidenced" not in rule_ids(storage_repo)


def test_checklist_in_report(storage_repo):
    variant(storage_repo, "EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: src/jobs/queue.py:999")
    from conftest import run_cli

    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert "- [x] A leased job is not handed out again" in res.stdout
    assert "- [ ] An acknowledged job is removed from the queue." in res.stdout
