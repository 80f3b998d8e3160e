"""``report-removed``: a report govcheck appended to a packet is no longer
in it.

Cases as a table of the change set ``govcheck ci`` computed -> expected
message fragments (``[]``: the rule passes); then what a waiver does
(nothing: a repo rule's findings belong to no packet).
"""

from __future__ import annotations

import pytest

from govcheck.engine.selection import ChangeSet
from rules.harness import GOOD, PACKET_PATH, WP_ID, assert_findings, check_rule, with_waiver

RULE = "report-removed"
BASE, HEAD = "a" * 40, "b" * 40
REMOVED = ChangeSet(base=BASE, head=HEAD, removed_reports=((WP_ID, PACKET_PATH, 2, 90),))


@pytest.mark.parametrize(
    "change_set, expected",
    [
        pytest.param(None, [], id="outside-ci-and-no-ledger-nothing"),
        pytest.param(ChangeSet(base=BASE, head=HEAD), [], id="reports-kept"),
        pytest.param(REMOVED, [f"2 report(s) that govcheck appended to {WP_ID} at the merge base aaaaaaaaaaaa "
                               "(the first at line 90 there) are gone from the packet"], id="reports-deleted"),
    ],
)
def test_report_removed(change_set, expected):
    assert_findings(check_rule(RULE, GOOD, change_set=change_set), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a report deleted from a
    # packet is not excused by a waiver written into that packet.
    found = check_rule(RULE, with_waiver(GOOD, RULE), change_set=REMOVED)
    assert found and all(f.waived_by is None for f in found)
