"""Waivers (packet and config) and policy by risk tier."""

from __future__ import annotations

from conftest import GOOD_GEN2, findings, run_cli, write_packet

WP = "WP-1-Job-Queue-v2"
# The baseline names v02.90 while the anchor names v02.93: a spec-ref-conflict warning.
CONFLICT = GOOD_GEN2.replace("v02.93.md (recorded_at", "v02.90.md (recorded_at")
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


def _with_waiver(line: str, base: str = CONFLICT) -> str:
    return base.replace("## WAIVERS GRANTED\n- NONE\n", f"## WAIVERS GRANTED\n{line}\n")


def _run(repo, *extra):
    res = run_cli("validate", WP, "--repo", repo, "--no-run", "--format", "json", *extra, env=EPOCH)
    assert res.exit_code in (0, 1), res.stderr
    return res.exit_code, res.json()


def test_waiver_marks_finding_waived_not_dropped(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- WAIVER_ID: W-1 | Date: 2025-12-20 | Rules: spec-ref-conflict | Scope: AUTHORITY | Justification: baseline kept for the audit trail"))
    code, report = _run(storage_repo)
    got = findings(report, rule="spec-ref-conflict")
    assert got and got[0]["waived_by"] == "W-1"
    assert not findings(report, rule="waiver-unused")
    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run", env=EPOCH)
    assert "waived by W-1" in res.stdout


def test_waiver_invalid_without_date(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- WAIVER_ID: W-2 | Rules: spec-ref-conflict | Justification: baseline kept for the audit trail"))
    code, report = _run(storage_repo)
    assert code == 1
    bad = findings(report, rule="waiver-invalid")
    assert bad and "date" in bad[0]["message"] and bad[0]["line"] == 26
    assert findings(report, rule="spec-ref-conflict")[0]["waived_by"] is None


def test_waiver_expired(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- WAIVER_ID: W-3 | Date: 2025-11-01 | Expires: 2025-12-01 | Rules: spec-ref-conflict | Justification: until the spec settles"))
    _, report = _run(storage_repo)
    assert findings(report, rule="waiver-expired")[0]["line"] == 26
    assert findings(report, rule="spec-ref-conflict")[0]["waived_by"] is None


def test_waiver_not_yet_expired_applies(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- WAIVER_ID: W-3 | Date: 2025-11-01 | Expires: 2026-03-01 | Rules: spec-ref-conflict | Justification: until the spec settles"))
    _, report = _run(storage_repo)
    assert not findings(report, rule="waiver-expired")
    assert findings(report, rule="spec-ref-conflict")[0]["waived_by"] == "W-3"


def test_waiver_unused(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- WAIVER_ID: W-4 | Date: 2025-12-20 | Rules: non-existent-thing, done-means-vague | Justification: criteria were vague once",
        base=GOOD_GEN2))
    code, report = _run(storage_repo)
    unused = findings(report, rule="waiver-unused")
    assert unused and unused[0]["data"]["rules"] == ["done-means-vague"]
    assert unused[0]["severity"] == "warning" and code == 0


def test_process_waiver_naming_no_rule_is_left_alone(storage_repo):
    write_packet(storage_repo, WP, _with_waiver(
        "- [WAIVER-2026-01-02-SCOPE] Operator allowed edits outside IN_SCOPE_PATHS for this packet. Approver: fixture-owner.",
        base=GOOD_GEN2))
    code, report = _run(storage_repo)
    assert code == 0 and findings(report) == []


def test_config_waiver(storage_repo):
    write_packet(storage_repo, WP, CONFLICT)
    (storage_repo / "govcheck.yaml").write_text(
        "waivers:\n"
        "  - id: CFG-1\n    date: 2025-12-01\n    justification: repo-wide baseline policy\n"
        "    rules: [spec-ref-conflict]\n    packets: [WP-1-Job-Queue-v2]\n"
    )
    _, report = _run(storage_repo)
    assert findings(report, rule="spec-ref-conflict")[0]["waived_by"] == "CFG-1"


def test_risk_policy_warnings_fail_for_high(storage_repo):
    write_packet(storage_repo, WP, CONFLICT)
    code, _ = _run(storage_repo)
    assert code == 0  # a warning does not fail a LOW packet
    (storage_repo / "govcheck.yaml").write_text("policy:\n  risk:\n    LOW: {warnings_fail: true}\n")
    code, report = _run(storage_repo)
    assert code == 1 and report["packets"][0]["verdict"] == "FAIL"


def test_risk_policy_required_rule_overrides_off(storage_repo):
    write_packet(storage_repo, WP, GOOD_GEN2.replace("- An acknowledged job is removed from the queue.\n", "- Improve things.\n"))
    (storage_repo / "govcheck.yaml").write_text("rules:\n  done-means-vague: {severity: 'off'}\n")
    code, report = _run(storage_repo)
    assert not findings(report, rule="done-means-vague")
    (storage_repo / "govcheck.yaml").write_text(
        "rules:\n  done-means-vague: {severity: 'off'}\npolicy:\n  risk:\n    LOW: {required_rules: [done-means-vague]}\n")
    code, report = _run(storage_repo)
    vague = findings(report, rule="done-means-vague")
    assert vague and vague[0]["severity"] == "error" and code == 1
