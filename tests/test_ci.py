"""govcheck ci on a fixture git repo: what a change touches is validated."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import STORAGE, copy_fixture, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(repo, *args):
    out = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def git_repo(tmp_path):
    repo = tmp_path / "repo"
    copy_fixture(STORAGE, repo)
    # a third packet, so "only the changed one" means something
    text = (repo / ".GOV/task_packets/WP-1-Job-Queue-v2.md").read_text()
    (repo / ".GOV/task_packets/WP-1-Job-Priorities.md").write_text(text.replace("WP-1-Job-Queue-v2", "WP-1-Job-Priorities"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    return repo


def _ci(repo, *extra):
    res = run_cli("ci", "--repo", repo, "--no-run", "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.stderr
    return res.json()


def test_change_to_one_packet_validates_only_it(git_repo):
    p = git_repo / ".GOV/task_packets/WP-1-Job-Priorities.md"
    p.write_text(p.read_text().replace("Leased job queue", "Leased job queue with priorities"))
    _git(git_repo, "commit", "-qam", "edit one packet")
    report = _ci(git_repo)  # default base: main
    assert [p["id"] for p in report["packets"]] == ["WP-1-Job-Priorities"]
    assert any("WP-1-Job-Priorities: packet modified" in n for n in report["notes"])


def test_moving_spec_current_validates_every_affected_packet(git_repo):
    sc = git_repo / ".GOV/roles_shared/SPEC_CURRENT.md"
    shutil.copy(git_repo / "Handshake_Master_Spec_v02.93.md", git_repo / "Handshake_Master_Spec_v02.94.md")
    sc.write_text(sc.read_text().replace("v02.93", "v02.94"))
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "move SPEC_CURRENT")
    report = _ci(git_repo, "--base", "main")
    ids = sorted(p["id"] for p in report["packets"])
    assert ids == ["WP-1-Job-Priorities", "WP-1-Job-Queue-v2", "WP-1-Storage-Foundation"]
    stale = {p["id"] for p in report["packets"] for f in p["findings"] if f["rule"] == "spec-stale"}
    assert {"WP-1-Job-Priorities", "WP-1-Job-Queue-v2"} <= stale
    assert any("SPEC_CURRENT changed" in n for n in report["notes"])


def test_deleted_packet_is_reported(git_repo):
    _git(git_repo, "rm", "-q", ".GOV/task_packets/WP-1-Job-Priorities.md")
    _git(git_repo, "commit", "-qm", "delete")
    report = _ci(git_repo, "--base", "main")
    assert report["packets"] == []
    deleted = [f for f in report["repo_findings"] if f["rule"] == "packet-deleted"]
    assert deleted and deleted[0]["data"]["wp_id"] == "WP-1-Job-Priorities"
    assert deleted[0]["path"] == ".GOV/task_packets/WP-1-Job-Priorities.md"


def test_board_change_selects_named_packets(git_repo):
    board = git_repo / ".GOV/roles_shared/TASK_BOARD.md"
    board.write_text(board.read_text() + "\n## Ready for Dev\n- **[WP-1-Job-Priorities]** - [READY_FOR_DEV]\n")
    _git(git_repo, "commit", "-qam", "board")
    report = _ci(git_repo, "--base", "main")
    assert [p["id"] for p in report["packets"]] == ["WP-1-Job-Priorities"]


def test_code_only_change_runs_repo_checks_and_passes_with_allow_empty(git_repo):
    # A change that selects no packet is said loudly (exit 2, see
    # test_gate_ci_range.py); --allow-empty accepts it and the report says so.
    (git_repo / "src/jobs/queue.py").write_text((git_repo / "src/jobs/queue.py").read_text() + "\n")
    _git(git_repo, "commit", "-qam", "code")
    res = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "main", "--allow-empty", "--format", "json")
    assert res.exit_code == 0, res.stdout
    assert any(n.startswith("Nothing validated") for n in res.json()["notes"])


def test_not_a_git_repo_is_exit_2(tmp_path):
    repo = tmp_path / "plain"
    copy_fixture(STORAGE, repo)
    res = run_cli("ci", "--repo", repo, "--no-run")
    assert res.exit_code == 2 and "git" in res.stderr


def test_bad_base_is_exit_2(git_repo):
    res = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "no-such-ref")
    assert res.exit_code == 2 and "no-such-ref" in res.stderr
