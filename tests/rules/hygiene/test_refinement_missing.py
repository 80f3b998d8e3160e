"""``refinement-missing``: The refinement file a packet names must exist.

Cases as a table of packet_text, options -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "refinement-missing"
REFINEMENT = ".GOV/refinements/WP-1-Lease-Timer.md"
NAMED = GOOD.replace("## SCOPE\n", f"## TECHNICAL_REFINEMENT\n- REFINEMENT_FILE: {REFINEMENT}\n\n## SCOPE\n")


@pytest.mark.parametrize(
    "packet_text, options, expected",
    [
        pytest.param(GOOD, {}, [], id="no-refinement-named"),
        pytest.param(NAMED, {"files": {REFINEMENT: "# Refinement\n"}}, [], id="named-and-present"),
        pytest.param(
            NAMED, {}, ["refinement file .GOV/refinements/WP-1-Lease-Timer.md does not exist"], id="named-but-missing"
        ),
    ],
)
def test_refinement_missing(packet_text, options, expected):
    assert_findings(check_rule(RULE, packet_text, **options), expected)


def test_waiver_marks_every_finding():
    broken = NAMED
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
