"""What holds across the rules: the fixture's good packets pass them all,
every rule explains itself, and findings pinned on the real corpus."""

from __future__ import annotations

import pytest
from conftest import CORPUS, findings, needs_corpus, run_cli, validate_json

from rules.harness import WP


def test_good_packet_has_no_findings(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert findings(report) == []


def test_explain_prints_the_docstrings():
    for rid in ("phase-order", "task-board-format", "task-board-mismatch"):
        res = run_cli("explain", rid)
        assert res.exit_code == 0, rid
        assert "How to fix" in res.stdout


MY_RULES = (
    "non-ascii",
    "wp-id-naming",
    "lineage-missing",
    "refinement-missing",
    "evidence-missing-file",
    "claim-missing",
    "forbidden-pattern",
    "risk-map-hit",
)


def test_good_packet_passes_every_new_rule(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert [f for f in findings(report, WP) if f["rule"] in MY_RULES] == []


@pytest.mark.parametrize("rule", MY_RULES)
def test_explain_prints_sections(rule):
    res = run_cli("explain", rule)
    assert res.exit_code == 0, res.stderr
    for heading in ("What it checks", "Why", "How to fix", "Example"):
        assert heading in res.stdout


@needs_corpus
def test_corpus_findings_pinned():
    ids = (
        "WP-1-Model-Swap-Protocol-v1",
        "WP-1-Storage-Foundation-20251228",
        "WP-1-Editor-Hardening-v2",
        "WP-1-AppState-Refactoring-v3",
        "WP-1-ACE-Validators-v2",
        "WP-1-Debug-Bundle-v2",
    )
    _, report = validate_json(CORPUS, *ids)

    moj = findings(report, "WP-1-Model-Swap-Protocol-v1", "non-ascii")
    assert len(moj) == 14
    assert moj[0]["line"] == 320 and "mojibake '\u00e2\u20ac\u201d'" in moj[0]["message"] and "em dash" in moj[0]["message"]

    # written on 2025-12-28, before the naming rule came in [CX-580C]
    assert findings(report, "WP-1-Storage-Foundation-20251228", "wp-id-naming") == []

    # the LINEAGE_AUDIT section holds only the template's instructions
    assert [(f["line"], f["data"]["problem"]) for f in findings(report, "WP-1-Editor-Hardening-v2", "lineage-missing")] == [(85, "empty")]
    # lineage audit recorded as a list item in the validation report
    assert findings(report, "WP-1-AppState-Refactoring-v3", "lineage-missing") == []
    # superseded by -v4 in the registry: history, not asked for an audit
    assert findings(report, "WP-1-ACE-Validators-v2", "lineage-missing") == []

    # a Windows path in the VALIDATION manifest is read as a path
    target = findings(report, "WP-1-Debug-Bundle-v2", "evidence-missing-file")
    assert [(f["line"], f["data"]["target_file"]) for f in target] == [(308, "src/backend/handshake_core/src/bundles/exporter.rs")]
