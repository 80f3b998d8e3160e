"""``forbidden-pattern``: Configured patterns must not occur in the packet's in-scope code.

Cases as a table of config -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import GOOD_GEN2, PACKET_DIR, findings, run_cli, validate_json

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


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def _rust(repo: Path) -> None:
    (repo / "src/jobs/extra.rs").write_text("fn f() {\n    let x = foo().unwrap();\n    let y = bar().unwrap();\n}\n", encoding="utf-8")


def test_forbidden_pattern_silent_without_patterns(storage_repo):
    _rust(storage_repo)
    assert rule_findings(storage_repo, "forbidden-pattern") == []


def test_forbidden_pattern_hits_point_at_code(storage_repo):
    _rust(storage_repo)
    set_config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap\\\\(\\\\)"]\n')
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, "forbidden-pattern")
    assert code == 1
    assert [(f["path"], f["line"], f["codex"]) for f in got] == [("src/jobs/extra.rs", 2, "CX-573E"), ("src/jobs/extra.rs", 3, "CX-573E")]
    assert got[0]["data"] == {"file": "src/jobs/extra.rs", "line": 2, "pattern": "unwrap\\(\\)", "text": "let x = foo().unwrap();"}


def test_forbidden_pattern_paths_and_max_hits(storage_repo):
    _rust(storage_repo)
    set_config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap", "visibility_timeout"]\n    paths: ["src/**/*.rs"]\n')
    assert {f["data"]["pattern"] for f in rule_findings(storage_repo, "forbidden-pattern")} == {"unwrap"}
    set_config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap"]\n    max_hits: 1\n')
    got = rule_findings(storage_repo, "forbidden-pattern")
    summary = [f for f in got if f["data"].get("truncated")]
    assert len(got) == 2 and len(summary) == 1
    assert summary[0]["path"] == f"{PACKET_DIR}/{WP}.md" and summary[0]["line"] == line_of(GOOD_GEN2, "  - src/jobs/")


def test_forbidden_pattern_options_schema(storage_repo):
    set_config(storage_repo, "rules:\n  forbidden-pattern:\n    patterns: unwrap\n")
    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2 and "patterns" in res.stderr
    set_config(storage_repo, "rules:\n  forbidden-pattern:\n    max_hits: 0\n")
    assert run_cli("validate", WP, "--repo", storage_repo, "--no-run").exit_code == 2


def test_forbidden_pattern_bad_regex_is_a_finding(storage_repo):
    set_config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap("]\n')
    got = rule_findings(storage_repo, "forbidden-pattern")
    assert len(got) == 1 and "not a valid regular expression" in got[0]["message"]


def test_forbidden_pattern_skips_binary_and_never_leaves_repo(storage_repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.rs").write_text("x.unwrap()\n", encoding="utf-8")
    os.symlink(outside / "secret.rs", storage_repo / "src/jobs/link.rs")
    os.symlink(outside, storage_repo / "src/jobs/linkdir")
    (storage_repo / "src/jobs/blob.bin").write_bytes(b"\x00\x01unwrap()\x00")
    set_config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap"]\n')
    assert rule_findings(storage_repo, "forbidden-pattern") == []
    # a scope entry pointing out of the repo is refused too
    variant(storage_repo, "  - src/jobs/\n", "  - ../outside/\n  - src/jobs/linkdir/\n")
    assert rule_findings(storage_repo, "forbidden-pattern") == []
