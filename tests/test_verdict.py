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


# -- three verdicts: PASS, FAIL, OUTDATED ---------------------------------------


def _stale(changed, severity=Severity.ERROR) -> Finding:
    return Finding(rule="spec-stale", severity=severity, message="m",
                   data={"packet_version": "02.90", "current_version": "02.93", "changed_sections": changed})


def test_closed_packet_with_only_drift_is_outdated_and_says_what_changed():
    d = decide([_stale(["2.3.12"])], closed=True)
    assert d.verdict is Verdict.OUTDATED
    assert "v02.90" in d.reason and "v02.93" in d.reason and "2.3.12" in d.reason
    assert d.deciding_rules == ("spec-stale",)


def test_closed_packet_with_drift_and_a_real_error_fails():
    d = decide([_stale(["2.3.12"]), _finding("field-missing", Severity.ERROR)], closed=True)
    assert d.verdict is Verdict.FAIL
    assert d.deciding_rules == ("field-missing",)
    assert "besides 1 drift finding(s): spec-stale" in d.reason


def test_active_packet_on_an_old_spec_fails():
    d = decide([_stale(["2.3.12"])], closed=False)
    assert d.verdict is Verdict.FAIL and d.deciding_rules == ("spec-stale",)


def test_closed_packet_whose_anchored_sections_did_not_change_passes_with_a_note():
    d = decide([_stale([])], closed=True)
    assert d.verdict is Verdict.PASS
    assert "none of its anchored sections changed" in d.reason and "reanchor" in d.reason


def _anchor_missing(packet_version, in_packet_version) -> Finding:
    return Finding(rule="spec-anchor-missing", severity=Severity.ERROR, message="m",
                   data={"packet_version": packet_version, "in_packet_version": in_packet_version})


def test_an_anchor_gone_with_the_spec_is_drift_but_one_never_there_is_not():
    assert decide([_stale(["1.2"]), _anchor_missing("02.90", True)], closed=True).verdict is Verdict.OUTDATED
    # the old text is not available: the spec moved and nothing says the anchor was wrong
    assert decide([_stale(["1.2"]), _anchor_missing("02.90", None)], closed=True).verdict is Verdict.OUTDATED
    assert decide([_stale(["1.2"]), _anchor_missing("02.90", False)], closed=True).verdict is Verdict.FAIL
    # a packet on the current version: a missing anchor is a real defect
    assert decide([_anchor_missing(None, None)], closed=True).verdict is Verdict.FAIL


def test_run_verdict_is_the_worst_and_exit_code_follows_fail_on():
    from govcheck.engine.verdict import exit_code

    assert exit_code(Verdict.OUTDATED) == 0
    assert exit_code(Verdict.OUTDATED, fail_on_outdated=True) == 1
    assert exit_code(Verdict.FAIL) == 1 and exit_code(Verdict.PASS, fail_on_outdated=True) == 0


DONE_STALE = """# Task Packet: WP-1-Old-Work

## METADATA
- **Status:** Done [VALIDATED]
- RISK_TIER: LOW
- USER_SIGNATURE: someone-20251201
- **Master Spec**: Handshake_Master_Spec_v02.90.md (\u00a72.3.12)

## SCOPE
- What: keep the stored rows readable after an upgrade.

## QUALITY_GATE
### TEST_PLAN
```bash
true
```
### DONE_MEANS
- `cargo test storage` passes.
### ROLLBACK_HINT
- git revert the merge commit.

## BOOTSTRAP
- Read the storage module first.
"""


def test_fail_on_outdated_makes_an_outdated_packet_fail_the_gate(tmp_path):
    """End to end on the storage fixture's specs: a closed packet anchored
    to v02.90 whose anchored section changed by v02.93."""
    from conftest import STORAGE, copy_fixture

    repo = copy_fixture(STORAGE, tmp_path / "repo")
    write_packet(repo, "WP-1-Old-Work", DONE_STALE)
    res = run_cli("validate", "WP-1-Old-Work", "--repo", repo, "--no-run", "--format", "json",
                  "--no-baseline", env=EPOCH)
    packet = res.json()["packets"][0]
    if packet["verdict"] != "OUTDATED":  # show what else failed it
        raise AssertionError([(f["rule"], f["message"]) for f in packet["findings"] if f["severity"] == "error"])
    assert res.exit_code == 0
    assert res.json()["summary"]["outdated"] == 1
    res = run_cli("validate", "WP-1-Old-Work", "--repo", repo, "--no-run", "--fail-on", "outdated", env=EPOCH)
    assert res.exit_code == 1 and "Verdict: OUTDATED" in res.stdout and "REASON FOR OUTDATED:" in res.stdout


def test_historical_done_with_a_note_in_the_parentheses_is_done_historical():
    from govcheck.parse.vocabulary import normalize_status, status_class

    for written in ("Done (Historical)", "Done (historical spec-enrichment capture)"):
        assert normalize_status(written) == "done (historical)" and status_class(normalize_status(written)) == "done"
    assert normalize_status("Done (pending review)") == "done"


def test_outdated_reason_says_why_the_changed_sections_are_unknown():
    unavailable = Finding(rule="spec-stale", severity=Severity.ERROR, message="m",
                          data={"packet_version": "02.90", "current_version": "02.93", "changed_sections": None,
                                "old_spec_source": None})
    unanchored = Finding(rule="spec-stale", severity=Severity.ERROR, message="m",
                         data={"packet_version": "02.90", "current_version": "02.93", "changed_sections": None})
    assert "not in the repo or its git history" in decide([unavailable], closed=True).reason
    assert "anchors no numbered section" in decide([unanchored], closed=True).reason
