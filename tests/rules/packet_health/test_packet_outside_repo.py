"""``packet-outside-repo``: A packet that is a symlink out of the repository is refused.

Cases as a table of packet_text, options -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    PACKET_PATH,
    Symlink,
    assert_findings,
    assert_waived,
    check_rule,
    config_waiver,
)

RULE = "packet-outside-repo"


@pytest.mark.parametrize(
    "packet_text, options, expected",
    [
        pytest.param(GOOD, {}, [], id="packet-inside"),
        pytest.param(
            None,
            {"files": {PACKET_PATH: Symlink("/etc/hostname")}},
            ["packet resolves outside the repository"],
            id="symlink-out",
        ),
    ],
)
def test_packet_outside_repo(packet_text, options, expected):
    assert_findings(check_rule(RULE, packet_text, **options), expected)


def test_waiver_from_config_marks_the_finding():
    # A refused packet is not read, so only govcheck.yaml can waive it.
    assert_waived(
        check_rule(RULE, None, files={PACKET_PATH: Symlink("/etc/hostname")}, config=config_waiver(RULE)),
        "W-CONFIG-TEST",
    )
