"""``contract-invalid``: a packet.json or MT-NNN.json contract that is not
valid JSON or not the contract its schema names.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import edit_json, findings_of, packet_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "contract-invalid"
PACKETS = ".GOV/task_packets"


def _break_shopping_list(root: Path) -> None:
    (root / PACKETS / "WP-7-Shopping-List-v1/packet.json").write_text('{"wp_id": "x",\n  oops\n}\n', encoding="utf-8")


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="good-contract-and-microtasks-pass"),
        pytest.param("WP-7-Pantry-Sync-v1", None, [], id="json-first-contract-passes"),
        pytest.param("WP-7-Broken-Contract-v1", None, ["line 4 column "], id="syntax-error-by-line-and-column"),
        pytest.param("WP-7-Shopping-List-v1", _break_shopping_list, ["line 2 column 3"], id="broken-beside-projection"),
    ],
)
def test_contract_invalid(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A contract packet holds no WAIVERS GRANTED of its own: the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Broken-Contract-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_invalid_contract_is_not_replaced_by_the_projection(repo):
    # Break the contract of a packet that has a good projection: the
    # packet fails on the contract; the Markdown's status stays readable.
    _break_shopping_list(repo)
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")
    assert code == 1
    (hit,) = findings(report, rule="contract-invalid")
    assert hit["path"].endswith("WP-7-Shopping-List-v1/packet.json") and hit["line"] == 2
    assert "line 2 column 3" in hit["message"]


def test_contract_invalid_names_line_and_column(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Broken-Contract-v1", RULE)
    assert hit["line"] == 4 and hit["data"]["kind"] == "invalid-json"
    assert hit["message"].startswith("line 4 column ")
    assert packet_of(fixture_report, "WP-7-Broken-Contract-v1")["verdict"] == "FAIL"


def test_contract_invalid_passes_on_good_contracts(fixture_report):
    for wp in ("WP-7-Recipe-Import-v1", "WP-7-Pantry-Sync-v1", "WP-7-Nutrition-Labels-v1"):
        assert not findings_of(fixture_report, wp, RULE)


def test_contract_invalid_covers_microtask_contracts_and_schema(repo):
    folder = repo / PACKETS / "WP-7-Recipe-Import-v1"
    (folder / "MT-002.json").write_bytes(b"\xef\xbb\xbf" + (folder / "MT-002.json").read_bytes())
    edit_json(folder / "MT-001.json", lambda d: d.update(schema_id="hsk.something_else@1"))
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    got = {(Path(f["path"]).name, f["data"]["kind"]) for f in findings(report, rule=RULE)}
    assert got == {("MT-002.json", "bom"), ("MT-001.json", "wrong-schema")}
