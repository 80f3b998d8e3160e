"""``spec-bundle-integrity``: a spec module of the current bundle differs
from the sha256 its INDEX.json / manifest records (a repo rule).

Cases as a table over fixtures/contract-era (edit) -> expected message
fragments (``[]``: the rule passes); then what a waiver does (nothing: a
repo rule's findings belong to no packet).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import validate_json

from rules.harness import assert_findings, check_contract_rule

RULE = "spec-bundle-integrity"
MODULE = ".GOV/spec/master-spec-v03.12/spec-modules/02-storage.md"
ALL_BUNDLES = "rules:\n  spec-bundle-integrity: {all_bundles: true}\n"


def _crlf_module(root: Path) -> None:
    module = root / MODULE
    module.write_bytes(module.read_bytes().replace(b"\n", b"\r\n"))


def _all_bundles(root: Path) -> None:
    (root / "govcheck.yaml").write_text(ALL_BUNDLES, encoding="utf-8")


@pytest.mark.parametrize(
    "edit, expected",
    [
        pytest.param(None, [], id="current-bundle-passes"),
        # Each index names the module, and its hash of all modules joined is wrong too.
        pytest.param(
            _crlf_module,
            ["1 of 2 modules differ from their recorded sha256: spec-modules/02-storage.md",
             "INDEX.json: modules concatenated hash to",
             "1 of 2 modules differ from their recorded sha256: spec-modules/02-storage.md",
             "indexed-spec-manifest.json: modules concatenated hash to"],
            id="module-resaved-with-crlf",
        ),
    ],
)
def test_spec_bundle_integrity(edit, expected):
    assert_findings(check_contract_rule(RULE, None, edit), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    def waive(root: Path) -> None:
        _crlf_module(root)
        (root / "govcheck.yaml").write_text(
            "waivers:\n  - {id: W-9, date: 2026-01-02, justification: \"accepted by the owner\", "
            "rules: [spec-bundle-integrity], packets: [WP-7-Recipe-Import-v1]}\n", encoding="utf-8",
        )

    found = check_contract_rule(RULE, "WP-7-Recipe-Import-v1", waive)
    assert found and all(f.waived_by is None for f in found)

    def turn_off(root: Path) -> None:
        _crlf_module(root)
        (root / "govcheck.yaml").write_text("rules:\n  spec-bundle-integrity:\n    severity: 'off'\n", encoding="utf-8")

    assert check_contract_rule(RULE, None, turn_off) == []


# -- from test_contract_rules.py: cases on the contract-era fixture via the CLI ----------


def test_spec_bundle_integrity_passes_on_the_current_bundle(fixture_report):
    assert not [f for f in fixture_report["repo_findings"] if f["rule"] == RULE]


def test_spec_bundle_integrity_names_the_modules_that_differ(repo):
    _crlf_module(repo)
    code, report = validate_json(repo, "--all")
    got = [f for f in report["repo_findings"] if f["rule"] == RULE]
    differ = [f for f in got if f["data"].get("differ")]
    assert {Path(f["path"]).name for f in differ} == {"INDEX.json", "indexed-spec-manifest.json"}
    assert all(f["data"]["differ"] == ["spec-modules/02-storage.md"] for f in differ)
    assert "1 of 2 modules differ" in differ[0]["message"]


def test_spec_bundle_integrity_all_bundles_option(repo):
    # The older bundle beside the current one has an edited module; it is
    # checked only when asked for.
    _all_bundles(repo)
    code, report = validate_json(repo, "--all")
    got = {f["path"] for f in report["repo_findings"] if f["rule"] == RULE}
    assert got and all("master-spec-v03.11" in p for p in got)
