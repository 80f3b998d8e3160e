"""``forbidden-pattern``: Configured patterns must not occur in the packet's in-scope code.

Cases as a table of config -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

RULE = "forbidden-pattern"
PATTERNS = "rules:\n  forbidden-pattern:\n    patterns: ['{}']\n"


@pytest.mark.parametrize(
    "config, expected",
    [
        pytest.param(None, [], id="no-patterns-configured"),
        pytest.param(PATTERNS.format("wallclock"), [], id="pattern-absent"),
        pytest.param(
            PATTERNS.format("elapsed"),
            ["forbidden pattern 'elapsed' in src/timer.py:5", "src/timer.py:6"],
            id="pattern-present",
        ),
        pytest.param(PATTERNS.format("(unclosed"), ["is not a valid regular expression"], id="bad-regex"),
    ],
)
def test_forbidden_pattern(config, expected):
    assert_findings(check_rule(RULE, GOOD, config=config), expected)


def test_waiver_marks_every_finding():
    broken = GOOD
    assert check_rule(RULE, broken, config=PATTERNS.format("elapsed"))
    assert_waived(check_rule(RULE, with_waiver(broken, RULE), config=PATTERNS.format("elapsed")))
