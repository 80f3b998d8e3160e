"""``contract-status-conflict``: packet.json and packet.md state different
statuses.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import edit_json, findings_of, packet_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "contract-status-conflict"
PACKETS = ".GOV/task_packets"


def _set_status(wp_id: str, status: str):
    def edit(root: Path) -> None:
        edit_json(root / PACKETS / wp_id / "packet.json", lambda d: d["lifecycle"].update(status=status))
    return edit


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        pytest.param("WP-7-Recipe-Export-v1", None, [], id="agreeing-statuses-pass"),
        # "Done [VALIDATED]" and "Done" are the same lifecycle state.
        pytest.param("WP-7-Recipe-Export-v1", _set_status("WP-7-Recipe-Export-v1", "Done [VALIDATED]"), [],
                     id="reworded-status-passes"),
        # Planted: an importer's default "Ready for Dev" in the contract while the
        # projection (hashes in sync) keeps "Done".
        pytest.param("WP-7-Grocery-Budget-v1", None, ["says 'Ready for Dev'"], id="ready-vs-done"),
        pytest.param("WP-7-Recipe-Import-v1",
                     _set_status("WP-7-Recipe-Import-v1", "PASSED_INTEGRATION_VALIDATION_V3"),
                     ["the projection says 'In Progress'"], id="unlisted-status-that-says-passed"),
        pytest.param("WP-7-Recipe-Import-v1", _set_status("WP-7-Recipe-Import-v1", "SOMETHING_ELSE_V3"), [],
                     id="unclassifiable-status-not-compared"),
    ],
)
def test_contract_status_conflict(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A generated projection cannot hold a waiver (editing it is drift): the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Grocery-Budget-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_status_conflict_between_contract_and_projection(fixture_report):
    # Planted: an importer's default "Ready for Dev" in the contract while the
    # projection (hashes in sync) keeps "Done".
    (hit,) = findings_of(fixture_report, "WP-7-Grocery-Budget-v1", RULE)
    assert hit["data"]["contract_status"] == "Ready for Dev" and hit["data"]["projection_status"] == "Done"
    assert hit["path"].endswith("packet.md") and hit["line"] == 6
    assert packet_of(fixture_report, "WP-7-Grocery-Budget-v1")["status"] == "Ready for Dev"


def test_status_conflict_not_for_agreeing_or_reworded_statuses(fixture_report, repo):
    assert not findings_of(fixture_report, "WP-7-Recipe-Export-v1", RULE)
    # "Done [VALIDATED]" and "Done" are the same lifecycle state.
    _set_status("WP-7-Recipe-Export-v1", "Done [VALIDATED]")(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert not findings(report, rule=RULE)


def test_status_conflict_with_a_status_outside_the_vocabulary_that_says_passed(repo):
    _set_status("WP-7-Recipe-Import-v1", "PASSED_INTEGRATION_VALIDATION_V3")(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    (hit,) = findings(report, rule=RULE)
    assert hit["data"]["projection_status"] == "In Progress"
    _set_status("WP-7-Recipe-Import-v1", "SOMETHING_ELSE_V3")(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    assert not findings(report, rule=RULE)
