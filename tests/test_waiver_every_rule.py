"""Every packet rule can be waived: the same failing packet passes once a
valid waiver names the rule, and the finding stays in the report, marked."""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, validate_json, write_packet

WP = "WP-1-Job-Queue-v2"
WAIVER = "- WAIVER_ID: W-T | Date: 2026-01-05 | Rules: {rules} | Scope: this packet | Justification: accepted by the owner for this test"

# rule(s) -> how to break the passing fixture packet so that exactly they fire
CASES = {
    ("field-invalid",): ("- RISK_TIER: LOW", "- RISK_TIER: SEVERE"),
    ("placeholder-left",): ("USER_SIGNATURE: fixture-owner-20260112", "USER_SIGNATURE: {{USER_SIGNATURE}}"),
    ("done-means-vague", "done-means-unevidenced"): ("- An acknowledged job is removed from the queue.\n", "- Improve things.\n"),
    ("done-means-placeholder",): ("- An acknowledged job is removed from the queue.\n", "- tbd\n"),
    ("spec-anchor-missing",): ("4.2 (Job queue)", "4.2 (Job queue) and 7.7.7"),
    ("non-ascii",): ("Leased job queue", "Leased job queue \u00a74.2"),
    ("phase-order",): ("SKELETON APPROVED\n", ""),
    ("lineage-missing",): ("## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]\n- WP-1-Job-Queue: first version, popped jobs instead of leasing them; replaced by this packet.\n", ""),
    ("refinement-missing",): ("## SCOPE\n", "## TECHNICAL_REFINEMENT (MASTER SPEC)\n- REFINEMENT_FILE: .GOV/refinements/WP-1-Job-Queue-v2.md\n\n## SCOPE\n"),
    ("evidence-missing-file", "done-means-unevidenced"): ("EVIDENCE: src/jobs/queue.py:24", "EVIDENCE: src/jobs/queue.py:999"),
    ("field-missing",): ("### ROLLBACK_HINT\n```bash\ngit revert <job-queue-commit>\n```\n", ""),
}


@pytest.mark.parametrize("rules,edit", list(CASES.items()), ids=["+".join(r) for r in CASES])
def test_rule_fails_then_is_waived(storage_repo, rules, edit):
    old, new = edit
    assert old in GOOD_GEN2
    broken = GOOD_GEN2.replace(old, new)
    write_packet(storage_repo, WP, broken)
    code, report = validate_json(storage_repo, WP)
    fired = {f["rule"] for f in report["packets"][0]["findings"] if f["severity"] != "info"}
    assert code == 1 and fired == set(rules), fired

    waived = broken.replace("## WAIVERS GRANTED\n- NONE\n", "## WAIVERS GRANTED\n" + WAIVER.format(rules=", ".join(rules)) + "\n")
    write_packet(storage_repo, WP, waived)
    code, report = validate_json(storage_repo, WP)
    assert code == 0, report["packets"][0]["findings"]
    marked = [f for f in report["packets"][0]["findings"] if f["rule"] in rules]
    assert marked and all(f["waived_by"] == "W-T" for f in marked)


def test_config_rule_options_and_waiver_for_a_scan(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  forbidden-pattern:\n    patterns: ['monotonic']\n")
    code, report = validate_json(storage_repo, WP)
    hits = [f for f in report["packets"][0]["findings"] if f["rule"] == "forbidden-pattern"]
    assert code == 1 and hits and hits[0]["path"] == "src/jobs/queue.py"
    write_packet(storage_repo, WP, GOOD_GEN2.replace("## WAIVERS GRANTED\n- NONE\n", "## WAIVERS GRANTED\n" + WAIVER.format(rules="forbidden-pattern") + "\n"))
    code, report = validate_json(storage_repo, WP)
    assert code == 0
