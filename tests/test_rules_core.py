"""Each core rule with a packet it passes and a packet it fails.

Failing packets are the fixture's passing gen2 packet with one thing
broken, so each test shows exactly what the rule reacts to."""

from __future__ import annotations

import pytest

from conftest import GOOD_GEN2, findings, validate_json, write_packet

WP = "WP-1-Job-Queue-v2"


def _variant(repo, old: str, new: str, wp_id: str = WP) -> None:
    assert old in GOOD_GEN2, old
    write_packet(repo, wp_id, GOOD_GEN2.replace(old, new))


def _rules(repo, wp_id: str = WP) -> list[str]:
    _, report = validate_json(repo, wp_id)
    return [f["rule"] for f in findings(report, wp_id)]


def test_good_packet_has_no_findings(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert findings(report) == []


# -- spec anchoring -----------------------------------------------------------


def test_spec_stale_fails_old_baseline(storage_repo):
    write_packet(storage_repo, WP, GOOD_GEN2.replace("v02.93.md", "v02.90.md"))
    _, report = validate_json(storage_repo, WP)
    stale = findings(report, rule="spec-stale")
    assert len(stale) == 1
    assert stale[0]["data"]["packet_version"] == "02.90"
    assert stale[0]["data"]["current_version"] == "02.93"
    assert stale[0]["line"] == 48  # the SPEC_ANCHOR line: it names the file the sections are in


def test_spec_ref_conflict_warns(storage_repo):
    _variant(storage_repo, "v02.93.md (recorded_at", "v02.90.md (recorded_at")
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="spec-ref-conflict")
    assert got and got[0]["severity"] == "warning" and got[0]["line"] == 46


def test_versions_compare_numerically(storage_repo):
    # 02.100 is newer than 02.93, so the packet is ahead, not stale.
    write_packet(storage_repo, WP, GOOD_GEN2.replace("v02.93.md", "v02.100.md"))
    rules = _rules(storage_repo)
    assert "spec-stale" not in rules
    assert "spec-ahead" in rules


def test_spec_unanchored(storage_repo):
    text = GOOD_GEN2
    for line in text.splitlines():
        if line.startswith(("- SPEC_BASELINE", "- SPEC_ANCHOR", "- SPEC_TARGET")):
            text = text.replace(line + "\n", "")
    write_packet(storage_repo, WP, text)
    assert "spec-unanchored" in _rules(storage_repo)


def test_spec_anchor_missing(storage_repo):
    _variant(storage_repo, "v02.93.md 4.2 (Job queue)", "v02.93.md 4.2 (Job queue) and 7.7.7 (Nowhere)")
    _, report = validate_json(storage_repo, WP)
    missing = findings(report, rule="spec-anchor-missing")
    assert [s for f in missing for s in f["data"]["sections"]] == ["7.7.7"]


def test_anchor_inside_code_fence_of_spec_is_not_a_section(storage_repo):
    _variant(storage_repo, "v02.93.md 4.2 (Job queue)", "v02.93.md 9.9")
    assert "spec-anchor-missing" in _rules(storage_repo)


def test_mojibake_anchor_still_recognised(storage_repo):
    # ``Â§`` is a section sign read as Windows-1252 and saved again.
    p = storage_repo / ".GOV/task_packets/WP-1-Storage-Foundation.md"
    p.write_text(p.read_text(encoding="utf-8").replace("(§2.3.12", "(\u00c2\u00a72.3.12").replace("§11.7.4", "\u00c2\u00a77.7.7"), encoding="utf-8")
    _, report = validate_json(storage_repo, "WP-1-Storage-Foundation")
    missing = findings(report, rule="spec-anchor-missing")
    assert [s for f in missing for s in f["data"]["sections"]] == ["7.7.7"]


def test_versions_in_old_validation_reports_are_history(storage_repo):
    text = GOOD_GEN2 + (
        "\n## VALIDATION REPORT — 2026-01-01\nVerdict: FAIL\n"
        "- Spec: Packet references Handshake_Master_Spec_v02.80.md; see §9.1.2.\n"
    )
    write_packet(storage_repo, WP, text)
    rules = _rules(storage_repo)
    assert "spec-stale" not in rules and "spec-anchor-missing" not in rules


def test_spec_current_not_latest(storage_repo):
    src = storage_repo / "Handshake_Master_Spec_v02.93.md"
    (storage_repo / "Handshake_Master_Spec_v02.94.md").write_bytes(src.read_bytes())
    _, report = validate_json(storage_repo, WP)
    repo_level = report.get("repo_findings") or []
    assert any(f["rule"] == "spec-current-not-latest" for f in repo_level)
    assert report["verdict"] == "FAIL"


# -- completeness ---------------------------------------------------------------


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("- RISK_TIER: LOW\n", "", "RISK_TIER"),
        ("- USER_SIGNATURE: fixture-owner-20260112\n", "", "USER_SIGNATURE"),
        ("### ROLLBACK_HINT\n```bash\ngit revert <job-queue-commit>\n```\n", "", "ROLLBACK_HINT"),
        ("- **Status:** Done\n", "", "Status"),
        ("## END_TO_END_CLOSURE_PLAN [CX-E2E-001]\n- END_TO_END_CLOSURE_PLAN_APPLICABLE: NO\n", "", "END_TO_END_CLOSURE_PLAN"),
    ],
)
def test_field_missing(storage_repo, old, new, field):
    _variant(storage_repo, old, new)
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="field-missing")
    assert any(field.upper() in (f["data"].get("field") or "").upper() for f in got), got


def test_field_invalid_risk_tier(storage_repo):
    _variant(storage_repo, "- RISK_TIER: LOW", "- RISK_TIER: SEVERE")
    assert "field-invalid" in _rules(storage_repo)


def test_field_invalid_status(storage_repo):
    _variant(storage_repo, "- **Status:** Done", "- **Status:** Finished-ish")
    assert "field-invalid" in _rules(storage_repo)


def test_placeholder_left(storage_repo):
    _variant(storage_repo, "USER_SIGNATURE: fixture-owner-20260112", "USER_SIGNATURE: {{USER_SIGNATURE}}")
    assert "placeholder-left" in _rules(storage_repo)


# -- DONE_MEANS -----------------------------------------------------------------------


def test_done_means_missing(storage_repo):
    start = GOOD_GEN2.index("### DONE_MEANS")
    end = GOOD_GEN2.index("### ROLLBACK_HINT")
    write_packet(storage_repo, WP, GOOD_GEN2[:start] + GOOD_GEN2[end:])
    assert "done-means-missing" in _rules(storage_repo)


def test_done_means_empty(storage_repo):
    start = GOOD_GEN2.index("### DONE_MEANS") + len("### DONE_MEANS\n")
    end = GOOD_GEN2.index("### ROLLBACK_HINT")
    write_packet(storage_repo, WP, GOOD_GEN2[:start] + "\n" + GOOD_GEN2[end:])
    assert "done-means-missing" in _rules(storage_repo)


@pytest.mark.parametrize("placeholder", ["tbd", "{{DONE_MEANS_1}}", "<fill>", "measurable criterion 1"])
def test_done_means_placeholder(storage_repo, placeholder):
    _variant(storage_repo, "- An acknowledged job is removed from the queue.\n", f"- {placeholder}\n")
    assert "done-means-placeholder" in _rules(storage_repo)


def test_done_means_vague_is_a_warning(storage_repo):
    _variant(storage_repo, "- An acknowledged job is removed from the queue.\n", "- Improve things.\n")
    code, report = validate_json(storage_repo, WP)
    vague = findings(report, rule="done-means-vague")
    assert vague and vague[0]["severity"] == "warning"


def test_done_means_unevidenced_when_done(storage_repo):
    _variant(storage_repo, "EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: src/jobs/queue.py:999")
    _, report = validate_json(storage_repo, WP)
    got = findings(report, rule="done-means-unevidenced")
    assert len(got) == 1 and "acknowledged" in got[0]["message"]


def test_done_means_evidence_not_needed_before_done(storage_repo):
    _variant(storage_repo, "- **Status:** Done", "- **Status:** In Progress")
    text = (storage_repo / ".GOV/task_packets" / f"{WP}.md").read_text()
    write_packet(storage_repo, WP, text.replace("EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: nowhere.py:1"))
    assert "done-means-unevidenced" not in _rules(storage_repo)


def test_checklist_in_report(storage_repo):
    _variant(storage_repo, "EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: src/jobs/queue.py:999")
    from conftest import run_cli

    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert "- [x] A leased job is not handed out again" in res.stdout
    assert "- [ ] An acknowledged job is removed from the queue." in res.stdout
