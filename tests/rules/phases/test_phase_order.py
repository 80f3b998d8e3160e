"""``phase-order``: BOOTSTRAP, SKELETON, SKELETON APPROVED, then implementation.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, needs_corpus, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    line_exactly,
    variant,
    with_waiver,
)

RULE = "phase-order"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(GOOD.replace("SKELETON APPROVED\n", ""), ["no SKELETON APPROVED marker"], id="no-approval-marker"),
        pytest.param(
            GOOD.replace("SKELETON APPROVED\n", "- SKELETON APPROVED\n"), ["inside a bullet"], id="marker-as-bullet"
        ),
    ],
)
def test_phase_order(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("SKELETON APPROVED\n", "")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_phases_board.py: cases on the storage-foundation fixture ---------------------


def _phase(repo, wp_id: str = WP) -> list[dict]:
    _, report = validate_json(repo, wp_id)
    return findings(report, wp_id, rule="phase-order")


def test_phase_order_passes_good_packets(storage_repo):
    assert _phase(storage_repo) == []
    # generation 1: "## SKELETON APPROVED" before "## BOOTSTRAP" is its format
    assert _phase(storage_repo, "WP-1-Storage-Foundation") == []


def test_phase_order_implementation_without_approval(storage_repo):
    variant(storage_repo, "SKELETON APPROVED\n", "\n")
    got = _phase(storage_repo)
    assert len(got) == 1
    assert got[0]["line"] == line_exactly(GOOD_GEN2, "## IMPLEMENTATION")
    assert got[0]["severity"] == "error" and got[0]["codex"] == "CX-GATE-001"
    assert "no SKELETON APPROVED marker" in got[0]["message"]


def test_phase_order_approval_before_skeleton(storage_repo):
    text = GOOD_GEN2.replace("SKELETON APPROVED\n", "").replace("## BOOTSTRAP\n", "SKELETON APPROVED\n\n## BOOTSTRAP\n")
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [line_exactly(text, "SKELETON APPROVED")]
    assert "before the SKELETON heading" in got[0]["message"]


def test_phase_order_skeleton_before_bootstrap(storage_repo):
    boot = GOOD_GEN2[GOOD_GEN2.index("## BOOTSTRAP\n"):GOOD_GEN2.index("## SKELETON\n")]
    text = GOOD_GEN2.replace(boot, "").replace("SKELETON APPROVED\n", "SKELETON APPROVED\n\n" + boot)
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [line_exactly(text, "## BOOTSTRAP")]


def test_phase_order_marker_in_fence_or_bullet_does_not_count(storage_repo):
    variant(storage_repo, "SKELETON APPROVED\n", "```text\nSKELETON APPROVED\n```\n- **SKELETON APPROVED**: in chat\n")
    got = _phase(storage_repo)
    assert len(got) == 1 and "inside a bullet" in got[0]["message"]


def test_phase_order_marker_with_signature_counts(storage_repo):
    variant(storage_repo, "SKELETON APPROVED\n", "SKELETON APPROVED [owner-20260112]\n")
    assert _phase(storage_repo) == []


def test_phase_order_template_implementation_note_is_not_implementation(storage_repo):
    text = GOOD_GEN2.replace("SKELETON APPROVED\n", "").replace(
        "- Leases kept in a dict keyed by job identity.", "- (Coder fills after skeleton approval.)"
    ).replace("**Status:** Done", "**Status:** In Progress")
    write_packet(storage_repo, WP, text)
    assert _phase(storage_repo) == []


def test_phase_order_in_progress_needs_bootstrap(storage_repo):
    text = (
        "# Task Packet: WP-1-Gen1\n\n## Metadata\n- **Status:** In Progress\n- RISK_TIER: LOW\n\n"
        "## Scope\n- What: x\n"
    )
    write_packet(storage_repo, "WP-1-Gen1", text)
    # A packet older than the gate's template is not judged by it ...
    assert _phase(storage_repo, "WP-1-Gen1") == []
    # ... unless config applies the rule to every era.
    (storage_repo / "govcheck.yaml").write_text("rules:\n  phase-order: {all_eras: true}\n")
    got = _phase(storage_repo, "WP-1-Gen1")
    assert [f["line"] for f in got] == [4]
    assert "BOOTSTRAP" in got[0]["message"]


def test_phase_order_done_gen2_without_marker(storage_repo):
    variant(storage_repo, "SKELETON APPROVED\n", "\n")
    text = (storage_repo / ".GOV/task_packets" / f"{WP}.md").read_text()
    text = text.replace("- Leases kept in a dict keyed by job identity.", "- (Coder fills after skeleton approval.)")
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [line_exactly(text, "- **Status:** Done")]


def test_phase_order_severity_from_config(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  phase-order:\n    severity: warning\n")
    variant(storage_repo, "SKELETON APPROVED\n", "\n")
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, rule="phase-order")
    assert [f["severity"] for f in got] == ["warning"]
    assert code == 0


@needs_corpus
def test_corpus_phase_order_true_findings(corpus_report):
    got = {(p["id"], f["line"]) for p in corpus_report["packets"] for f in p["findings"] if f["rule"] == "phase-order"}
    # Packets of the 2026-02-01 template in progress with implementation
    # headings and no approval marker.
    assert {pid for pid, _ in got} == {"WP-1-AI-UX-Summarize-Display-v2", "WP-1-Model-Swap-Protocol-v1"}
    # January packets predate the gate's template: not judged by it (the
    # validators passed 19 of them without the marker).
    assert not any(pid in ("WP-1-AI-UX-Actions-v2", "WP-1-Metrics-Mock-Tokens") for pid, _ in got)
    # Generation 1 with "## SKELETON APPROVED" before BOOTSTRAP: its own format.
    assert not any(pid == "WP-1-Storage-Foundation" for pid, _ in got)
    # Marker line after SKELETON, before IMPLEMENTATION: passes.
    assert not any(pid == "WP-1-Gate-Check-Tool-v2" for pid, _ in got)
