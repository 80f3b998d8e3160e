"""``microtask-dependency-cycle``: microtasks of the packet depend on each
other in a cycle.

Cases as a table over fixtures/contract-era (packet, edit) -> expected
message fragments (``[]``: the rule passes); then what a waiver does.
"""

from __future__ import annotations

import pytest
from contract_era import findings_of

from rules.harness import assert_contract_waiver, assert_findings, check_contract_rule

RULE = "microtask-dependency-cycle"


@pytest.mark.parametrize(
    "wp_id, edit, expected",
    [
        pytest.param("WP-7-Recipe-Import-v1", None, [], id="acyclic-passes"),
        pytest.param("WP-7-Nutrition-Labels-v1", None, ["dependency cycle: MT-002 -> MT-003 -> MT-002"], id="cycle"),
    ],
)
def test_microtask_dependency_cycle(wp_id, edit, expected):
    assert_findings(check_contract_rule(RULE, wp_id, edit), expected)


def test_waiver_marks_every_finding():
    # A microtask-only packet holds no WAIVERS GRANTED of its own: the waiver is in govcheck.yaml.
    assert_contract_waiver(RULE, "WP-7-Nutrition-Labels-v1")


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_microtask_dependency_cycle_spells_out_the_circle(fixture_report):
    (hit,) = findings_of(fixture_report, "WP-7-Nutrition-Labels-v1", RULE)
    assert hit["data"]["cycle"] == ["MT-002", "MT-003"]
    assert "MT-002 -> MT-003 -> MT-002" in hit["message"]
    assert not findings_of(fixture_report, "WP-7-Recipe-Import-v1", RULE)
