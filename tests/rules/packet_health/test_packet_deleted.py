"""``packet-deleted``: Under govcheck ci, a packet deleted by the change is reported (repo rule).

Cases as a table of change_set -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from govcheck.engine.selection import ChangeSet
from rules.harness import GOOD, assert_findings, check_rule, with_waiver

RULE = "packet-deleted"
DELETED = ChangeSet(base="a" * 40, head="b" * 40, deleted=(("WP-1-Old-Plan", ".GOV/task_packets/WP-1-Old-Plan.md"),))


@pytest.mark.parametrize(
    "change_set, expected",
    [
        pytest.param(None, [], id="outside-ci"),
        pytest.param(ChangeSet(base="a" * 40, head="b" * 40), [], id="nothing-deleted"),
        pytest.param(DELETED, ["WP-1-Old-Plan was deleted in aaaaaaaaaaaa..bbbbbbbbbbbb"], id="packet-deleted"),
    ],
)
def test_packet_deleted(change_set, expected):
    assert_findings(check_rule(RULE, GOOD, change_set=change_set), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(GOOD, RULE), change_set=DELETED)
    assert found and all(f.waived_by is None for f in found)
    assert check_rule(RULE, GOOD, change_set=DELETED, config="rules:\n  packet-deleted:\n    severity: 'off'\n") == []
