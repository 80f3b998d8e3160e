"""``packet-superseded``: A flat packet beside the folder packet of the same id is legacy (info).

Cases as a table of packet_text, options -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    WP_ID,
    assert_findings,
    assert_waived,
    check_rule,
    with_waiver,
)

RULE = "packet-superseded"
FOLDER = f".GOV/task_packets/{WP_ID}/packet.md"


@pytest.mark.parametrize(
    "packet_text, options, expected",
    [
        pytest.param(GOOD, {}, [], id="flat-packet-alone"),
        pytest.param(
            GOOD,
            {"files": {FOLDER: GOOD}},
            [".GOV/task_packets/WP-1-Lease-Timer.md is superseded"],
            id="folder-packet-beside-it",
        ),
    ],
)
def test_packet_superseded(packet_text, options, expected):
    assert_findings(check_rule(RULE, packet_text, **options), expected)


def test_waiver_in_the_folder_packet_marks_the_finding():
    found = check_rule(RULE, GOOD, files={FOLDER: with_waiver(GOOD, RULE)})
    assert_waived(found)
