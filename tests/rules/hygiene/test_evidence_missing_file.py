"""``evidence-missing-file``: Evidence must point at files and lines that exist.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    line_of,
    rule_findings,
    variant,
    with_waiver,
)

RULE = "evidence-missing-file"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("src/timer.py:9", "src/timer.py:99"),
            ["src/timer.py has 9 line(s); src/timer.py:99 points past its end"],
            id="line-past-the-end",
        ),
        pytest.param(
            GOOD.replace("src/timer.py:9", "src/clock.py:3"), ["src/clock.py does not exist"], id="no-such-file"
        ),
    ],
)
def test_evidence_missing_file(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("src/timer.py:9", "src/timer.py:99")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_evidence_missing_file_and_line_past_end(storage_repo):
    text = GOOD_GEN2.replace("src/jobs/queue.py:19", "src/jobs/queue.py:190").replace("src/jobs/queue.py:24", "src/jobs/gone.py:3")
    write_packet(storage_repo, WP, text)
    got = rule_findings(storage_repo, "evidence-missing-file")
    assert [(f["line"], f["data"]["evidence"]) for f in got] == [
        (line_of(text, "queue.py:190"), "src/jobs/queue.py:190"),
        (line_of(text, "gone.py:3"), "src/jobs/gone.py:3"),
    ]
    assert "points past its end" in got[0]["message"] and "does not exist" in got[1]["message"]


def test_evidence_checked_whatever_the_status(storage_repo):
    write_packet(storage_repo, WP, GOOD_GEN2.replace("**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: m\n- CODER_REASONING_STRENGTH: HIGH")
                 .replace("src/jobs/queue.py:24", "src/jobs/gone.py:3"))
    assert [f["data"]["evidence"] for f in rule_findings(storage_repo, "evidence-missing-file")] == ["src/jobs/gone.py:3"]


def test_validation_target_file(storage_repo):
    manifest = (
        "## VALIDATION\n"
        "- **Target File**: `src/jobs/queue.py`\n- **Start**: 1\n"
        "- **Target File**: `src/jobs/removed.py`\n- **Start**: 1\n"
        "- **Target File**: `path/to/file`\n\n"
    )
    text = variant(storage_repo, "## EVIDENCE_MAPPING\n", manifest + "## EVIDENCE_MAPPING\n")
    got = rule_findings(storage_repo, "evidence-missing-file")
    assert [(f["line"], f["data"]["target_file"]) for f in got] == [(line_of(text, "removed.py"), "src/jobs/removed.py")]


@pytest.mark.parametrize("target, expected", [
    ("N/A", []), ("n/a (governance-only change)", []), ("none", []),
    ("src/nowhere.py", ["VALIDATION Target File src/nowhere.py does not exist"]),
])
def test_target_file_that_names_no_file_is_not_a_path(target, expected):
    text = GOOD.replace("## EVIDENCE_MAPPING", f"## VALIDATION\n- Target File: {target}\n\n## EVIDENCE_MAPPING", 1)
    assert text != GOOD
    assert_findings(check_rule(RULE, text), expected)
