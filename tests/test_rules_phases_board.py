"""phase-order, task-board-format and task-board-mismatch: a packet / board
each rule passes and one it fails (with the line), configuration, and
findings verified by hand on the real corpus."""

from __future__ import annotations

import pytest

from conftest import CORPUS, GOOD_GEN2, findings, needs_corpus, run_cli, validate_json, write_packet

from govcheck.parse.board import parse_board

WP = "WP-1-Job-Queue-v2"
BOARD = ".GOV/roles_shared/TASK_BOARD.md"


def _variant(repo, old: str, new: str, wp_id: str = WP) -> None:
    assert old in GOOD_GEN2, old
    write_packet(repo, wp_id, GOOD_GEN2.replace(old, new))


def _phase(repo, wp_id: str = WP) -> list[dict]:
    _, report = validate_json(repo, wp_id)
    return findings(report, wp_id, rule="phase-order")


def _line_of(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def _board(repo, text: str) -> None:
    (repo / BOARD).write_text(text, encoding="utf-8")


def _repo_findings(repo, rule: str) -> list[dict]:
    _, report = validate_json(repo, "--all")
    return [f for f in report.get("repo_findings") or [] if f["rule"] == rule]


# -- phase-order ----------------------------------------------------------------


def test_phase_order_passes_good_packets(storage_repo):
    assert _phase(storage_repo) == []
    # generation 1: "## SKELETON APPROVED" before "## BOOTSTRAP" is its format
    assert _phase(storage_repo, "WP-1-Storage-Foundation") == []


def test_phase_order_implementation_without_approval(storage_repo):
    _variant(storage_repo, "SKELETON APPROVED\n", "\n")
    got = _phase(storage_repo)
    assert len(got) == 1
    assert got[0]["line"] == _line_of(GOOD_GEN2, "## IMPLEMENTATION")
    assert got[0]["severity"] == "error" and got[0]["codex"] == "CX-GATE-001"
    assert "no SKELETON APPROVED marker" in got[0]["message"]


def test_phase_order_approval_before_skeleton(storage_repo):
    text = GOOD_GEN2.replace("SKELETON APPROVED\n", "").replace("## BOOTSTRAP\n", "SKELETON APPROVED\n\n## BOOTSTRAP\n")
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [_line_of(text, "SKELETON APPROVED")]
    assert "before the SKELETON heading" in got[0]["message"]


def test_phase_order_skeleton_before_bootstrap(storage_repo):
    boot = GOOD_GEN2[GOOD_GEN2.index("## BOOTSTRAP\n"):GOOD_GEN2.index("## SKELETON\n")]
    text = GOOD_GEN2.replace(boot, "").replace("SKELETON APPROVED\n", "SKELETON APPROVED\n\n" + boot)
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [_line_of(text, "## BOOTSTRAP")]


def test_phase_order_marker_in_fence_or_bullet_does_not_count(storage_repo):
    _variant(storage_repo, "SKELETON APPROVED\n", "```text\nSKELETON APPROVED\n```\n- **SKELETON APPROVED**: in chat\n")
    got = _phase(storage_repo)
    assert len(got) == 1 and "inside a bullet" in got[0]["message"]


def test_phase_order_marker_with_signature_counts(storage_repo):
    _variant(storage_repo, "SKELETON APPROVED\n", "SKELETON APPROVED [owner-20260112]\n")
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
    got = _phase(storage_repo, "WP-1-Gen1")
    assert [f["line"] for f in got] == [4]
    assert "BOOTSTRAP" in got[0]["message"]


def test_phase_order_done_gen2_without_marker(storage_repo):
    _variant(storage_repo, "SKELETON APPROVED\n", "\n")
    text = (storage_repo / ".GOV/task_packets" / f"{WP}.md").read_text()
    text = text.replace("- Leases kept in a dict keyed by job identity.", "- (Coder fills after skeleton approval.)")
    write_packet(storage_repo, WP, text)
    got = _phase(storage_repo)
    assert [f["line"] for f in got] == [_line_of(text, "- **Status:** Done")]


def test_phase_order_severity_from_config(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  phase-order:\n    severity: warning\n")
    _variant(storage_repo, "SKELETON APPROVED\n", "\n")
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, rule="phase-order")
    assert [f["severity"] for f in got] == ["warning"]
    assert code == 0


def test_explain_prints_the_docstrings():
    for rid in ("phase-order", "task-board-format", "task-board-mismatch"):
        res = run_cli("explain", rid)
        assert res.exit_code == 0, rid
        assert "How to fix" in res.stdout


# -- task-board-format ------------------------------------------------------------

GOOD_BOARD = """# Task Board

## Ready for Dev
- **[WP-1-Ready]** - [READY_FOR_DEV]

## Stub Backlog (Not Activated)
- **[WP-1-Later]** - [STUB]

## In Progress

## Done
- **[WP-1-Storage-Foundation]** - [VALIDATED]

## Blocked
- **[WP-1-Wait]** - [BLOCKED] - waiting on the storage decision

---

## Superseded (Archive)
- **[WP-1-Old]** - [SUPERSEDED]
"""


def test_board_parse_keeps_lines_and_sections():
    lines = parse_board(GOOD_BOARD)
    assert [(b.section, b.wp_id, b.line, b.well_formed) for b in lines] == [
        ("READY_FOR_DEV", "WP-1-Ready", 4, True),
        ("STUB", "WP-1-Later", 7, True),
        ("DONE", "WP-1-Storage-Foundation", 12, True),
        ("BLOCKED", "WP-1-Wait", 15, True),
        ("SUPERSEDED", "WP-1-Old", 20, True),
    ]


def test_board_format_passes_the_fixture_board(storage_repo):
    assert _repo_findings(storage_repo, "task-board-format") == []
    _board(storage_repo, GOOD_BOARD)
    assert _repo_findings(storage_repo, "task-board-format") == []


def test_board_format_legacy_lines(storage_repo):
    text = GOOD_BOARD.replace(
        "- **[WP-1-Ready]** - [READY_FOR_DEV]", "- **[WP-1-Ready]** / FAIL: text. [READY FOR DEV]"
    ).replace("- **[WP-1-Storage-Foundation]** - [VALIDATED]", "- **[WP-1-Storage-Foundation]** - VALIDATED (2025-12-27)")
    _board(storage_repo, text)
    got = sorted(_repo_findings(storage_repo, "task-board-format"), key=lambda f: f["line"])
    assert [(f["line"], f["severity"], f["path"]) for f in got] == [
        (4, "warning", BOARD),  # Ready for Dev: recommended format
        (12, "error", BOARD),  # Done: enforced format
    ]
    assert "`- **[WP_ID]** - [READY_FOR_DEV]`" in got[0]["message"]
    assert "Done entries must be `- **[WP_ID]** - [VALIDATED|FAIL|OUTDATED_ONLY]`" in got[1]["message"]


def test_board_format_wrong_token_and_fenced_example(storage_repo):
    text = GOOD_BOARD.replace("## In Progress\n", "## In Progress\n```\n- anything goes in a fence\n```\n- **[WP-1-X]** - [VALIDATED]\n")
    _board(storage_repo, text)
    got = _repo_findings(storage_repo, "task-board-format")
    assert [f["line"] for f in got] == [_line_of(text, "- **[WP-1-X]** - [VALIDATED]")]
    assert "[VALIDATED] does not belong in In Progress" in got[0]["message"]


def test_board_format_recommended_severity_option(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  task-board-format:\n    recommended_severity: error\n")
    _board(storage_repo, GOOD_BOARD.replace("[STUB]", "STUB"))
    got = _repo_findings(storage_repo, "task-board-format")
    assert [(f["line"], f["severity"]) for f in got] == [(7, "error")]


def test_no_board_no_findings(storage_repo):
    (storage_repo / BOARD).unlink()
    _, report = validate_json(storage_repo, "--all")
    assert not [f for f in report.get("repo_findings") or [] if f["rule"].startswith("task-board")]


# -- task-board-mismatch ----------------------------------------------------------------


def test_board_mismatch_passes_the_fixture(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert not report.get("repo_findings")


def test_board_mismatch_status(storage_repo):
    _board(storage_repo, "# Task Board\n\n## In Progress\n- **[WP-1-Storage-Foundation]** - [IN_PROGRESS]\n")
    got = _repo_findings(storage_repo, "task-board-mismatch")
    assert [(f["line"], f["path"]) for f in got] == [(4, BOARD)]
    assert "under In Progress but its Status is Done [VALIDATED]" in got[0]["message"]


def test_board_mismatch_missing_packet_and_stub(storage_repo):
    stubs = storage_repo / ".GOV/task_packets/stubs"
    stubs.mkdir()
    (stubs / "WP-1-Later.md").write_text("# Stub: WP-1-Later\n- **Status:** STUB\n")
    _board(storage_repo, "## Stub Backlog\n- **[WP-1-Later]** - [STUB]\n- **[WP-1-Nowhere]** - [STUB]\n"
                         "## Done\n- **[WP-1-Later]** - [VALIDATED]\n- **[WP-1-Ghost]** - [VALIDATED]\n")
    got = sorted(_repo_findings(storage_repo, "task-board-mismatch"), key=lambda f: (f["line"], f["message"]))
    assert [f["line"] for f in got] == [3, 5, 5, 6]
    assert "no stub file" in got[0]["message"]
    assert any("only a stub exists" in f["message"] for f in got if f["line"] == 5)
    assert any("also under Stub Backlog (line 2)" in f["message"] for f in got if f["line"] == 5)
    assert "no such packet exists" in got[3]["message"]


def test_board_done_modern_packet_needs_verdict(storage_repo):
    _board(storage_repo, "## Done\n- **[WP-1-Job-Queue-v2]** - [VALIDATED]\n")
    got = _repo_findings(storage_repo, "task-board-mismatch")
    assert [f["line"] for f in got] == [2] and "no validator verdict line" in got[0]["message"]
    write_packet(storage_repo, WP, GOOD_GEN2 + "\n### VALIDATION REPORT - WP-1-Job-Queue-v2 (2026-01-20)\nVerdict: PASS\n")
    assert _repo_findings(storage_repo, "task-board-mismatch") == []


# -- the real corpus: findings verified by hand -------------------------------------------


@pytest.fixture(scope="module")
def corpus_report():
    res = run_cli("validate", "--all", "--repo", CORPUS, "--no-run", "--format", "json")
    return res.json()


@needs_corpus
def test_corpus_phase_order_true_findings(corpus_report):
    got = {(p["id"], f["line"]) for p in corpus_report["packets"] for f in p["findings"] if f["rule"] == "phase-order"}
    # IMPLEMENTATION with real content, no marker anywhere (line 162).
    assert ("WP-1-AI-UX-Actions-v2", 162) in got
    # The marker was recorded (line 215) after the first validation report (line 169).
    assert ("WP-1-Metrics-Mock-Tokens", 169) in got
    # Generation 1 with "## SKELETON APPROVED" before BOOTSTRAP: its own format.
    assert not any(pid == "WP-1-Storage-Foundation" for pid, _ in got)
    # Marker line after SKELETON, before IMPLEMENTATION: passes.
    assert not any(pid == "WP-1-Gate-Check-Tool-v2" for pid, _ in got)


@needs_corpus
def test_corpus_board_true_findings(corpus_report):
    repo = corpus_report.get("repo_findings") or []
    assert not [f for f in repo if f["rule"] == "task-board-format"]
    mism = {(f["line"], f["data"]["wp_id"]) for f in repo if f["rule"] == "task-board-mismatch"}
    # Done on the board, "**Status:** In Progress" in the packet.
    assert (100, "WP-1-Model-Swap-Protocol-v1") in mism
    # Listed both as a stub (line 60) and as Done (line 105).
    assert (105, "WP-1-Global-Silent-Edit-Guard") in mism
