"""``refinement-missing``: The refinement file a packet names must exist.

Cases as a table of packet_text, options -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    assert_findings,
    assert_waived,
    check_rule,
    line_of,
    rule_findings,
    variant,
    with_waiver,
)

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


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_refinement_missing_on_the_storage_fixture(storage_repo):
    text = variant(storage_repo, "- PACKET_FORMAT_VERSION: 2026-02-01\n",
                    "- PACKET_FORMAT_VERSION: 2026-02-01\n- REFINEMENT_FILE: .GOV/refinements/WP-1-Job-Queue-v2.md\n")
    got = rule_findings(storage_repo, "refinement-missing")
    assert [(f["line"], f["severity"]) for f in got] == [(line_of(text, "REFINEMENT_FILE"), "error")]
    ref = storage_repo / ".GOV/refinements/WP-1-Job-Queue-v2.md"
    ref.parent.mkdir(parents=True)
    ref.write_text("# Refinement\n", encoding="utf-8")
    assert rule_findings(storage_repo, "refinement-missing") == []


def test_refinement_path_in_prose_and_placeholder(storage_repo):
    text = variant(storage_repo, "- Leases kept in a dict keyed by job identity.\n",
                    "- Leases kept in a dict keyed by job identity.\n- See `.GOV/refinements/WP-1-Gone.md` and .GOV/refinements/{{WP_ID}}.md\n")
    got = rule_findings(storage_repo, "refinement-missing")
    assert [(f["line"], f["data"]["refinement"]) for f in got] == [(line_of(text, "WP-1-Gone"), ".GOV/refinements/WP-1-Gone.md")]
