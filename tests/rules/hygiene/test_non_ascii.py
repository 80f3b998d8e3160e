"""``non-ascii``: Packets with PACKET_FORMAT_VERSION must be ASCII-only.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, run_cli, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    line_of,
    rule_findings,
    set_config,
    variant,
    with_waiver,
)

RULE = "non-ascii"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("A lease timer that", "A lease timer \u2014 one that"),
            ["non-ASCII text: U+2014"],
            id="em-dash",
        ),
        pytest.param(
            GOOD.replace("A lease timer that", "A lease timer \u00c2\u00a7 that"), ["mojibake"], id="mojibake"
        ),
        pytest.param(
            GOOD.replace("- PACKET_FORMAT_VERSION: 2026-02-01\n", "").replace(
                "A lease timer that", "A lease timer \u2014 one that"
            ),
            [],
            id="older-packets-may",
        ),
    ],
)
def test_non_ascii(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("A lease timer that", "A lease timer \u2014 one that")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_non_ascii_names_the_character(storage_repo):
    text = variant(storage_repo, "Leased job queue", "Leased job queue per \u00a74.2")
    got = rule_findings(storage_repo, "non-ascii")
    assert [(f["line"], f["severity"], f["codex"]) for f in got] == [(line_of(text, "per \u00a74.2"), "error", "CX-623")]
    assert "U+00A7 '\u00a7' (section sign)" in got[0]["message"]
    assert got[0]["data"]["characters"] == ["U+00A7"]


@pytest.mark.parametrize(
    "garbled, intended, name",
    [
        ("\u00c2\u00a7", "U+00A7", "section sign"),
        ("\u00e2\u20ac\u201d", "U+2014", "em dash"),
        ("\u00e2\u0153\u2026", "U+2705", "check mark"),
    ],
)
def test_non_ascii_names_mojibake(storage_repo, garbled, intended, name):
    text = variant(storage_repo, "- lease\n", f"- lease {garbled} 4.2\n")
    got = rule_findings(storage_repo, "non-ascii")
    assert len(got) == 1 and got[0]["line"] == line_of(text, f"- lease {garbled}")
    assert f"mojibake '{garbled}'" in got[0]["message"]
    assert name in got[0]["message"] and "Windows-1252" in got[0]["message"]
    assert got[0]["data"]["mojibake"] == [{"text": garbled, "intended": intended}]


def test_non_ascii_caps_lines_then_summarises(storage_repo):
    many = "\n".join(f"- note {i} \u2014 x" for i in range(60))
    variant(storage_repo, "## IMPLEMENTATION\n", f"## IMPLEMENTATION\n{many}\n")
    got = rule_findings(storage_repo, "non-ascii")
    assert len(got) == 51
    assert "10 more line(s)" in got[-1]["message"] and got[-1]["data"]["more_lines"] == 10


def test_non_ascii_leaves_invalid_bytes_to_encoding_invalid(storage_repo):
    data = GOOD_GEN2.encode("utf-8").replace(b"Leased job queue", b"Leased \x81 job queue")
    write_packet(storage_repo, WP, data)
    _, report = validate_json(storage_repo, WP)
    rules = {f["rule"] for f in findings(report, WP)}
    assert "encoding-invalid" in rules and "non-ascii" not in rules


def test_non_ascii_ignores_gen1_unless_always(storage_repo):
    # the gen1 fixture packet writes "§2.3.12"
    assert rule_findings(storage_repo, "non-ascii", "WP-1-Storage-Foundation") == []
    set_config(storage_repo, "rules:\n  non-ascii:\n    all_eras: true\n")
    got = rule_findings(storage_repo, "non-ascii", "WP-1-Storage-Foundation")
    assert got and all("U+00A7" in f["message"] for f in got)


def test_non_ascii_option_is_schema_checked(storage_repo):
    set_config(storage_repo, "rules:\n  non-ascii:\n    all_eras: 'yes'\n")
    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2 and "govcheck.yaml:3" in res.stderr
