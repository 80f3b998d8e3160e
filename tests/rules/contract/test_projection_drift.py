"""``projection-drift``: a generated packet.md / MT-NNN.md / refinement.md
that no longer matches its contract.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import edit_json, findings_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "projection-drift"
PACKETS = ".GOV/task_packets"


def _drop_mt001_projection(root: Path) -> None:
    (root / PACKETS / "WP-7-Recipe-Import-v1/MT-001.md").unlink()


def _drop_projection_block(root: Path) -> None:
    edit_json(root / PACKETS / "WP-7-Shopping-List-v1/packet.json", lambda d: d.pop("markdown_projection"))


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        # Recipe-Import: in sync, with an MT whose projection is GENERATED_PENDING
        # (no Markdown yet: not drift); Pantry-Sync: JSON-first.
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="in-sync-and-pending-pass"),
        pytest.param("WP-7-Pantry-Sync-v1", None, [], id="json-first-passes"),
        pytest.param("WP-7-Grocery-Budget-v1", None, [], id="in-sync-passes"),
        pytest.param("WP-7-Shopping-List-v1", None, ["projection edited after it was generated"], id="hand-edited"),
        pytest.param("WP-7-Meal-Planner-v1", None, ["contract changed since the projection was stamped"],
                     id="contract-changed-without-restamp"),
        pytest.param("WP-7-Recipe-Import-v1", _drop_mt001_projection, ["missing"], id="promised-projection-missing"),
        pytest.param("WP-7-Shopping-List-v1", _drop_projection_block, [], id="no-projection-block-promises-nothing"),
    ],
)
def test_projection_drift(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A generated projection cannot hold a waiver (editing it is drift): the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Shopping-List-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_projection_drift_hand_edited_projection(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Shopping-List-v1", RULE)
    assert "projection edited after it was generated" in hit["message"]
    assert hit["path"].endswith("packet.json") and hit["data"]["kinds"][0] == "projection-hash"


def test_projection_drift_contract_changed_without_restamp(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Meal-Planner-v1", RULE)
    assert "contract changed since the projection was stamped" in hit["message"]


def test_projection_drift_passes_in_sync_pending_and_json_first(fixture_report):
    # Recipe-Import: in sync, with an MT whose projection is GENERATED_PENDING
    # (no Markdown yet: not drift); Pantry-Sync: JSON-first.
    for wp in ("WP-7-Recipe-Import-v1", "WP-7-Pantry-Sync-v1", "WP-7-Grocery-Budget-v1"):
        assert not findings_of(fixture_report, wp, RULE), wp


def test_projection_drift_missing_projection_that_the_contract_promises(repo):
    _drop_mt001_projection(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    (hit,) = findings(report, rule=RULE)
    assert hit["path"].endswith("MT-001.json") and "missing" in hit["message"]


def test_projection_drift_not_claimed_without_a_projection_block(repo):
    # A contract that states no markdown_projection promises nothing.
    _drop_projection_block(repo)
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")
    assert not findings(report, rule=RULE)


def test_a_fifo_is_never_opened(repo):
    # A FIFO microtask projection: the drift check would hang if it read it.
    folder = repo / PACKETS / "WP-7-Recipe-Import-v1"
    (folder / "MT-001.md").unlink()
    os.mkfifo(folder / "MT-001.md")
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")  # would hang if the FIFO were read
    (hit,) = findings(report, rule=RULE)
    assert hit["data"]["kinds"] == ["projection-unreadable"]
    assert hit["path"].endswith("MT-001.json")


def test_a_fifo_packet_md_is_refused_by_the_loader(repo):
    # A FIFO packet.md is not opened either: the loader refuses the packet
    # (packet-unreadable), so no rule reads its projection.
    folder = repo / PACKETS / "WP-7-Shopping-List-v1"
    (folder / "packet.md").unlink()
    os.mkfifo(folder / "packet.md")
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")  # would hang if the FIFO were read
    assert code == 1 and not findings(report, rule=RULE)
    (hit,) = findings(report, rule="packet-unreadable")
    assert "FIFO" in hit["message"]
