"""``gate-changed``: the change under review edits the config or baseline
that judges it (govcheck ci).

Cases as a table of the change set ``govcheck ci`` computed -> expected
message fragments (``[]``: the rule passes); then what a waiver does
(nothing: a repo rule's findings belong to no packet).
"""

from __future__ import annotations

import pytest

from govcheck.engine.selection import ChangeSet, GateChange
from govcheck.model import Severity
from rules.harness import GOOD, assert_findings, check_rule, with_waiver

RULE = "gate-changed"
BASE, HEAD = "a" * 40, "b" * 40
CONFIG_EDIT = GateChange("config", "govcheck.yaml", "1" * 64, "2" * 64, allowed=False)
BASELINE_ADDED = GateChange("baseline", ".govcheck-baseline.json", None, "3" * 64, allowed=False)
ALLOWED_EDIT = GateChange("config", "govcheck.yaml", "1" * 64, "2" * 64, allowed=True)


def _changes(*gate_changes: GateChange) -> ChangeSet:
    return ChangeSet(base=BASE, head=HEAD, gate_changes=gate_changes)


@pytest.mark.parametrize(
    "change_set, expected",
    [
        pytest.param(None, [], id="outside-ci-nothing"),
        pytest.param(_changes(), [], id="change-leaves-the-gate-alone"),
        pytest.param(_changes(CONFIG_EDIT), ["the change changes the configuration govcheck.yaml"], id="config-edited"),
        pytest.param(_changes(BASELINE_ADDED), ["the change adds the baseline .govcheck-baseline.json"],
                     id="baseline-added"),
    ],
)
def test_gate_changed(change_set, expected):
    assert_findings(check_rule(RULE, GOOD, change_set=change_set), expected)


def test_allowed_config_change_is_a_warning():
    (found,) = check_rule(RULE, GOOD, change_set=_changes(ALLOWED_EDIT))
    assert found.severity is Severity.WARNING and "allowed by the base config" in found.message


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live.
    found = check_rule(RULE, with_waiver(GOOD, RULE), change_set=_changes(CONFIG_EDIT))
    assert found and all(f.waived_by is None for f in found)
