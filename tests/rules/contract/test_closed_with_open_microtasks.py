"""``closed-with-open-microtasks``: the packet is Done/Validated while some
of its microtasks are still open.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import edit_json, findings_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "closed-with-open-microtasks"
PACKETS = ".GOV/task_packets"


def _only_unknown_open(root: Path) -> None:
    edit_json(root / PACKETS / "WP-7-Recipe-Export-v1/MT-002.json",
              lambda d: d["lifecycle"].update(status="OUT_OF_SCOPE_BY_OPERATOR"))


def _close_pantry_sync_with_a_pending_microtask(root: Path) -> None:
    edit_json(root / PACKETS / "WP-7-Pantry-Sync-v1/packet.json", lambda d: d["lifecycle"].update(status="Done"))
    (root / PACKETS / "WP-7-Pantry-Sync-v1/MT-002.json").write_text(
        json.dumps({"schema_id": "hsk.microtask_contract@1", "mt_id": "MT-002", "lifecycle": {"status": "PENDING"}}),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        # In Progress with open microtasks is normal.
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="in-progress-with-open-microtasks-passes"),
        pytest.param("WP-7-Recipe-Export-v1", _only_unknown_open, [], id="unknown-statuses-are-not-open"),
        pytest.param("WP-7-Recipe-Export-v1", None, ["packet status is 'Done' but 1 of 2 microtasks are open: MT-002"],
                     id="done-with-an-open-microtask"),
        pytest.param("WP-7-Pantry-Sync-v1", _close_pantry_sync_with_a_pending_microtask, ["2 of 2 microtasks are open: MT-001, MT-002"],
                     id="json-only-packet"),
    ],
)
def test_closed_with_open_microtasks(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A packet without Markdown has nowhere to write WAIVERS GRANTED: the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Recipe-Export-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_closed_packet_with_open_microtasks_says_how_many_and_which(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Recipe-Export-v1", RULE)
    assert "1 of 2 microtasks are open: MT-002" in hit["message"]
    assert hit["data"]["open"] == ["MT-002"]
    # In Progress with open microtasks is normal.
    assert not findings_of(fixture_report, "WP-7-Recipe-Import-v1", RULE)


def test_closed_packet_with_only_unknown_statuses_is_not_called_open(repo):
    _only_unknown_open(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert not findings(report, rule=RULE)
    assert findings(report, rule="microtask-status-unknown")


def test_waiver_of_a_json_only_packet_from_config(repo):
    # A packet without Markdown has nowhere to write WAIVERS GRANTED: a
    # repo-level waiver covers it, and the finding stays in the report.
    _close_pantry_sync_with_a_pending_microtask(repo)
    code, report = validate_json(repo, "WP-7-Pantry-Sync-v1")
    assert code == 1 and [f["rule"] for f in findings(report)] == [RULE]
    (repo / "govcheck.yaml").write_text(
        "waivers:\n  - {id: W-9, date: 2026-01-02, justification: \"moved to a later packet\", "
        "rules: [closed-with-open-microtasks], packets: [WP-7-Pantry-Sync-v1]}\n", encoding="utf-8",
    )
    code, report = validate_json(repo, "WP-7-Pantry-Sync-v1")
    assert code == 0 and findings(report)[0]["waived_by"] == "W-9"
