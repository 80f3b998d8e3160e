"""``microtask-dependency-missing``: a microtask depends on a microtask the
packet does not have.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import edit_json, findings_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "microtask-dependency-missing"
PACKETS = ".GOV/task_packets"


def _free_text_and_unknown_dependency(root: Path) -> None:
    edit_json(root / PACKETS / "WP-7-Recipe-Import-v1/MT-002.json",
              lambda d: d.update(depends_on=["WP-7-Recipe-Export-v1 merged first", "MT-077"]))


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="dependencies-present-pass"),
        pytest.param("WP-7-Nutrition-Labels-v1", None, ["MT-001 depends on MT-009, which this packet does not have"],
                     id="missing-dependency"),
        # Free text names no microtask: only MT-077 is judged.
        pytest.param("WP-7-Recipe-Import-v1", _free_text_and_unknown_dependency, ["depends on MT-077"],
                     id="free-text-not-judged"),
    ],
)
def test_microtask_dependency_missing(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A microtask-only packet holds no WAIVERS GRANTED of its own: the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Nutrition-Labels-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_microtask_dependency_missing_names_microtask_and_dependency(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Nutrition-Labels-v1", RULE)
    assert hit["data"] == {"microtask": "MT-001", "dependency": "MT-009"}
    assert not findings_of(fixture_report, "WP-7-Recipe-Import-v1", RULE)


def test_microtask_dependency_on_free_text_is_not_judged(repo):
    _free_text_and_unknown_dependency(repo)
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    assert [f["data"]["dependency"] for f in findings(report, rule=RULE)] == ["MT-077"]
