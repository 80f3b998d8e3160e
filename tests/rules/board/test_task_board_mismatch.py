"""``task-board-mismatch``: The task board must agree with the packets (repo rule).

Cases as a table of board -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, needs_corpus, validate_json, write_packet

from rules.harness import (
    BOARD,
    GOOD,
    WP,
    assert_findings,
    check_rule,
    repo_findings,
    set_board,
    with_waiver,
)

RULE = "task-board-mismatch"
WRONG_SECTION = "# Task Board\n\n## In Progress\n- **[WP-1-Lease-Timer]** - [IN_PROGRESS]\n"
DONE_BOARD = "# Task Board\n\n## Done\n- **[WP-1-Lease-Timer]** - [VALIDATED]\n"
# A modern packet listed as Done needs the validator's verdict line.
VALIDATED = GOOD + "### Validation 2026-02-12\n- Verdict: PASS\n"


@pytest.mark.parametrize(
    "packet_text, board, expected",
    [
        pytest.param(VALIDATED, None, [], id="no-board"),
        pytest.param(VALIDATED, DONE_BOARD, [], id="agrees"),
        pytest.param(
            GOOD,
            DONE_BOARD,
            ["is marked [VALIDATED] but its packet (PACKET_FORMAT_VERSION) has no validator verdict"],
            id="done-without-verdict",
        ),
        pytest.param(
            VALIDATED,
            WRONG_SECTION,
            ["board lists WP-1-Lease-Timer under In Progress but its Status is Done"],
            id="wrong-section",
        ),
        pytest.param(
            VALIDATED,
            "# Task Board\n\n## Done\n- **[WP-1-Never-Written]** - [VALIDATED]\n",
            ["WP-1-Never-Written is listed under Done but no such packet exists"],
            id="no-such-packet",
        ),
    ],
)
def test_task_board_mismatch(packet_text, board, expected):
    assert_findings(check_rule(RULE, packet_text, files={BOARD: board} if board else {}), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(VALIDATED, RULE), files={BOARD: WRONG_SECTION})
    assert found and all(f.waived_by is None for f in found)
    assert (
        check_rule(
            RULE,
            VALIDATED,
            files={BOARD: WRONG_SECTION},
            config="rules:\n  task-board-mismatch:\n    severity: 'off'\n",
        )
        == []
    )


# -- from test_rules_phases_board.py: cases on the storage-foundation fixture ---------------------


def test_board_mismatch_passes_the_fixture(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert not report.get("repo_findings")


def test_board_mismatch_status(storage_repo):
    set_board(storage_repo, "# Task Board\n\n## In Progress\n- **[WP-1-Storage-Foundation]** - [IN_PROGRESS]\n")
    got = repo_findings(storage_repo, "task-board-mismatch")
    assert [(f["line"], f["path"]) for f in got] == [(4, BOARD)]
    assert "under In Progress but its Status is Done [VALIDATED]" in got[0]["message"]


def test_board_mismatch_missing_packet_and_stub(storage_repo):
    stubs = storage_repo / ".GOV/task_packets/stubs"
    stubs.mkdir()
    (stubs / "WP-1-Later.md").write_text("# Stub: WP-1-Later\n- **Status:** STUB\n")
    set_board(storage_repo, "## Stub Backlog\n- **[WP-1-Later]** - [STUB]\n- **[WP-1-Nowhere]** - [STUB]\n"
                         "## Done\n- **[WP-1-Later]** - [VALIDATED]\n- **[WP-1-Ghost]** - [VALIDATED]\n")
    got = sorted(repo_findings(storage_repo, "task-board-mismatch"), key=lambda f: (f["line"], f["message"]))
    assert [f["line"] for f in got] == [3, 5, 5, 6]
    assert "no stub file" in got[0]["message"]
    assert any("only a stub exists" in f["message"] for f in got if f["line"] == 5)
    assert any("also under Stub Backlog (line 2)" in f["message"] for f in got if f["line"] == 5)
    assert "no such packet exists" in got[3]["message"]


def test_board_done_modern_packet_needs_verdict(storage_repo):
    set_board(storage_repo, "## Done\n- **[WP-1-Job-Queue-v2]** - [VALIDATED]\n")
    got = repo_findings(storage_repo, "task-board-mismatch")
    assert [f["line"] for f in got] == [2] and "no validator verdict line" in got[0]["message"]
    write_packet(storage_repo, WP, GOOD_GEN2 + "\n### VALIDATION REPORT - WP-1-Job-Queue-v2 (2026-01-20)\nVerdict: PASS\n")
    assert repo_findings(storage_repo, "task-board-mismatch") == []


@needs_corpus
def test_corpus_board_true_findings(corpus_report):
    repo = corpus_report.get("repo_findings") or []
    assert not [f for f in repo if f["rule"] == "task-board-format"]
    mism = {(f["line"], f["data"]["wp_id"]) for f in repo if f["rule"] == "task-board-mismatch"}
    # Done on the board, "**Status:** In Progress" in the packet.
    assert (100, "WP-1-Model-Swap-Protocol-v1") in mism
    # Listed both as a stub (line 60) and as Done (line 105).
    assert (105, "WP-1-Global-Silent-Edit-Guard") in mism
