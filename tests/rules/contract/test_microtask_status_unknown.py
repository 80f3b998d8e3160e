"""``microtask-status-unknown``: a microtask's status is outside the
microtask status vocabulary.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, validate_json
from contract_era import findings_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "microtask-status-unknown"
VOCABULARY = "rules:\n  microtask-status-unknown: {done_statuses: [COMPLETED, HALF_DONE_MAYBE]}\n"


def _widen_vocabulary(root: Path) -> None:
    (root / "govcheck.yaml").write_text(VOCABULARY, encoding="utf-8")


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="statuses-in-the-vocabulary-pass"),
        pytest.param("WP-7-Nutrition-Labels-v1", None, ["MT-001: status 'HALF_DONE_MAYBE' (lifecycle.status)"],
                     id="status-outside-the-vocabulary"),
        pytest.param("WP-7-Nutrition-Labels-v1", _widen_vocabulary, [], id="vocabulary-is-configurable"),
    ],
)
def test_microtask_status_unknown(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A microtask-only packet holds no WAIVERS GRANTED of its own: the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Nutrition-Labels-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_microtask_status_outside_the_vocabulary(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Nutrition-Labels-v1", RULE)
    assert hit["data"]["status"] == "HALF_DONE_MAYBE" and hit["path"].endswith("MT-001.json")
    assert hit["severity"] == "warning"
    assert not findings_of(fixture_report, "WP-7-Recipe-Import-v1", RULE)


def test_microtask_vocabulary_is_configurable(repo):
    _widen_vocabulary(repo)
    code, report = validate_json(repo, "WP-7-Nutrition-Labels-v1")
    assert not findings(report, rule=RULE)
