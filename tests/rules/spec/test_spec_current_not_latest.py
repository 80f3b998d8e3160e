"""``spec-current-not-latest``: A newer spec file than the one SPEC_CURRENT names (repo rule).

Cases as a table of files -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import validate_json

from rules.harness import GOOD, SPEC, WP, assert_findings, check_rule, with_waiver

RULE = "spec-current-not-latest"


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param({}, [], id="only-the-current-spec"),
        pytest.param({"Handshake_Master_Spec_v02.49.md": SPEC}, [], id="older-spec-beside-it"),
        pytest.param(
            {"Handshake_Master_Spec_v02.51.md": SPEC},
            ["Handshake_Master_Spec_v02.51.md (v02.51) is newer"],
            id="newer-spec-beside-it",
        ),
    ],
)
def test_spec_current_not_latest(files, expected):
    assert_findings(check_rule(RULE, GOOD, files=files), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(GOOD, RULE), files={"Handshake_Master_Spec_v02.51.md": SPEC})
    assert found and all(f.waived_by is None for f in found)
    assert (
        check_rule(
            RULE,
            GOOD,
            files={"Handshake_Master_Spec_v02.51.md": SPEC},
            config="rules:\n  spec-current-not-latest:\n    severity: 'off'\n",
        )
        == []
    )


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_spec_current_not_latest_on_the_storage_fixture(storage_repo):
    src = storage_repo / "Handshake_Master_Spec_v02.93.md"
    (storage_repo / "Handshake_Master_Spec_v02.94.md").write_bytes(src.read_bytes())
    _, report = validate_json(storage_repo, WP)
    repo_level = report.get("repo_findings") or []
    assert any(f["rule"] == "spec-current-not-latest" for f in repo_level)
    assert report["verdict"] == "FAIL"
