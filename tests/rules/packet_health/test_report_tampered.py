"""``report-tampered``: Reports appended by govcheck carry hashes: editing one (or the text above it) shows.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import hashlib

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "report-tampered"
MARK = "\n<!-- govcheck:report v=1 prior_sha256={prior} body_sha256={body} tool=0.1.0 -->\n"
BODY = "Verdict: FAIL\n"


def appended(packet_text: str) -> str:
    """``packet_text`` with one correctly hashed govcheck report appended."""
    prior = hashlib.sha256((packet_text + "\n").encode()).hexdigest()
    body = hashlib.sha256(BODY.encode()).hexdigest()
    return packet_text + MARK.format(prior=prior, body=body) + BODY


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(appended(GOOD), [], id="intact-report"),
        pytest.param(
            appended(GOOD).replace("Verdict: FAIL", "Verdict: PASS"),
            ["this govcheck report was edited"],
            id="report-edited",
        ),
        pytest.param(
            appended(GOOD).replace("thirty seconds", "ten seconds", 1),
            ["the packet text before this govcheck report changed"],
            id="text-above-edited",
        ),
        pytest.param(
            GOOD + MARK.format(prior="0" * 64, body="0" * 64) + BODY,
            ["text before this govcheck report changed", "report was edited"],
            id="made-up-hashes",
        ),
    ],
)
def test_report_tampered(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = appended(GOOD).replace("Verdict: FAIL", "Verdict: PASS")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))
