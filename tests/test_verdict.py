"""The verdict is decided once (engine.verdict), with the risk policy, after
waivers and baseline entries are marked; renderers print its reason."""

from __future__ import annotations

import json

from conftest import GOOD_GEN2, findings, run_cli, write_packet

from govcheck.engine.verdict import decide
from govcheck.model import Finding, Severity, Verdict
from govcheck.repo.config import RiskPolicy

WP = "WP-1-Job-Queue-v2"
# The baseline names v02.90 while the anchor names v02.93: one spec-ref-conflict warning.
CONFLICT = GOOD_GEN2.replace("v02.93.md (recorded_at", "v02.90.md (recorded_at")
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
LOW_WARNINGS_FAIL = "policy:\n  risk:\n    LOW: {warnings_fail: true}\n"


def _finding(rule: str, severity: Severity, waived_by: str | None = None) -> Finding:
    return Finding(rule=rule, severity=severity, message="m", waived_by=waived_by)


def test_an_error_fails_and_names_its_rules_in_order():
    d = decide([_finding("b-rule", Severity.ERROR), _finding("a-rule", Severity.ERROR),
                _finding("b-rule", Severity.ERROR)])
    assert d.verdict is Verdict.FAIL
    assert d.reason == "3 error finding(s): b-rule (2), a-rule"
    assert d.deciding_rules == ("b-rule", "a-rule")


def test_waived_errors_and_plain_warnings_pass():
    d = decide([_finding("x", Severity.ERROR, waived_by="W-1"), _finding("y", Severity.WARNING)])
    assert d.verdict is Verdict.PASS
    assert d.reason == "no unwaived error findings; 1 warning(s) to review"


def test_warnings_fail_under_the_policy_and_the_reason_says_so():
    d = decide([_finding("y", Severity.WARNING)], RiskPolicy(warnings_fail=True), "LOW")
    assert d.verdict is Verdict.FAIL
    assert d.reason.startswith("1 warning finding(s), which fail at RISK_TIER LOW")
    assert d.deciding_rules == ("y",)


def _validate(repo, *extra):
    return run_cli("validate", WP, "--repo", repo, "--no-run", *extra, env=EPOCH)


def test_baseline_without_an_entry_keeps_the_warnings_fail_verdict(storage_repo):
    """Regression: any baseline file used to re-decide verdicts without the
    risk policy, turning this FAIL into a PASS."""
    write_packet(storage_repo, WP, CONFLICT)
    (storage_repo / "govcheck.yaml").write_text(LOW_WARNINGS_FAIL)
    assert _validate(storage_repo, "--no-baseline").exit_code == 1
    (storage_repo / ".govcheck-baseline.json").write_text(json.dumps(
        {"schema": "govcheck.baseline@1", "findings": []}))
    res = _validate(storage_repo, "--format", "json")
    assert res.exit_code == 1, res.stderr
    assert res.json()["packets"][0]["verdict"] == "FAIL"


def test_baseline_entry_waives_the_warning_and_then_it_passes(storage_repo):
    write_packet(storage_repo, WP, CONFLICT)
    (storage_repo / "govcheck.yaml").write_text(LOW_WARNINGS_FAIL)
    assert run_cli("baseline", "--repo", storage_repo).exit_code == 0
    res = _validate(storage_repo, "--format", "json")
    assert res.exit_code == 0, res.stdout
    assert findings(res.json(), rule="spec-ref-conflict")[0]["waived_by"] == "baseline"


def test_markdown_reason_names_the_warnings_that_failed(storage_repo):
    """Regression: the renderer rebuilt the reason itself and printed
    'REASON FOR FAIL: 0 error finding(s): .'"""
    write_packet(storage_repo, WP, CONFLICT)
    (storage_repo / "govcheck.yaml").write_text(LOW_WARNINGS_FAIL)
    res = _validate(storage_repo)
    assert res.exit_code == 1
    assert "0 error finding(s)" not in res.stdout
    reason = next(line for line in res.stdout.splitlines() if line.startswith("REASON FOR FAIL:"))
    assert "1 warning finding(s), which fail at RISK_TIER LOW" in reason and "spec-ref-conflict" in reason


def test_risk_tier_with_a_comment_gets_its_tier_policy_everywhere(storage_repo):
    """Regression: 'LOW; docs only' was accepted as LOW by field-invalid but
    the LOW policy was never applied (three parsers of the tier)."""
    text = CONFLICT.replace("RISK_TIER: LOW", "RISK_TIER: LOW; docs only")
    assert text != CONFLICT
    write_packet(storage_repo, WP, text)
    (storage_repo / "govcheck.yaml").write_text(LOW_WARNINGS_FAIL)
    res = _validate(storage_repo, "--format", "json")
    report = res.json()
    assert not findings(report, rule="field-invalid")
    assert report["packets"][0]["verdict"] == "FAIL" and res.exit_code == 1


def test_an_unknown_tier_is_invalid_and_gets_no_policy(storage_repo):
    text = CONFLICT.replace("RISK_TIER: LOW", "RISK_TIER: LOWISH")
    write_packet(storage_repo, WP, text)
    (storage_repo / "govcheck.yaml").write_text(LOW_WARNINGS_FAIL)
    report = _validate(storage_repo, "--format", "json").json()
    assert findings(report, rule="field-invalid")
    assert findings(report, rule="spec-ref-conflict")[0]["severity"] == "warning"
