"""govcheck ci when the pull request is hostile: it is judged with the
config and baseline of the merge base, and an empty range or an empty
selection is said loudly (issue 14, items 3, 8 and 12)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import STORAGE, copy_fixture, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

PACKETS = ".GOV/task_packets"
# The fixture's failing packet, copied under a new id: the "new failing
# packet" a hostile pull request adds.
FAILING = "WP-1-Storage-Foundation"


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", message)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """The storage fixture on branch main, with a passing packet only (the
    failing one is removed from the base), checked out on 'feature'."""
    repo = copy_fixture(STORAGE, tmp_path / "repo")
    shutil.move(str(repo / PACKETS / f"{FAILING}.md"), str(tmp_path / "failing.md"))
    board = repo / ".GOV/roles_shared/TASK_BOARD.md"
    board.write_text("".join(ln for ln in board.read_text().splitlines(True) if FAILING not in ln))
    _git(repo, "init", "-q", "-b", "main")
    _commit_all(repo, "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    return repo


def _make_base(repo: Path, message: str) -> None:
    """Commit what is in the tree and make it the base (main)."""
    _commit_all(repo, message)
    _git(repo, "branch", "-f", "main", "HEAD")


def _touch_packet(repo: Path) -> None:
    """A change to a passing packet, so that ci has a packet to validate."""
    p = repo / PACKETS / "WP-1-Job-Queue-v2.md"
    p.write_text(p.read_text() + "\n")


def _add_failing_packet(repo: Path) -> None:
    # The fixture's packet reopened (In Progress): on an old spec that is a
    # FAIL (spec-stale), where the Done original would be OUTDATED.
    text = (repo.parent / "failing.md").read_text(encoding="utf-8")
    assert "Done [VALIDATED]" in text
    (repo / PACKETS / f"{FAILING}.md").write_text(text.replace("Done [VALIDATED]", "In Progress"), encoding="utf-8")


def _ci(repo: Path, *extra: str):
    res = run_cli("ci", "--repo", repo, "--no-run", "--format", "json", "--base", "main", *extra)
    assert res.exit_code in (0, 1), res.stderr
    return res, res.json()


def _gate_findings(report: dict) -> list[dict]:
    return [f for f in report["repo_findings"] if f["rule"] == "gate-changed"]


# -- item 3: the change does not judge itself ---------------------------------------


def test_pr_adding_failing_packet_with_regenerated_baseline_fails(git_repo: Path) -> None:
    _add_failing_packet(git_repo)
    assert run_cli("baseline", "--repo", git_repo).exit_code == 0  # records the new packet's errors
    _commit_all(git_repo, "new packet, and its errors baselined")

    res, report = _ci(git_repo)

    assert res.exit_code == 1
    packet = next(p for p in report["packets"] if p["id"] == FAILING)
    assert packet["verdict"] == "FAIL"
    assert not any(f.get("waived_by") == "baseline" for f in packet["findings"])
    gate = _gate_findings(report)
    assert [g["data"]["kind"] for g in gate] == ["baseline"]
    assert gate[0]["severity"] == "error" and gate[0]["path"] == ".govcheck-baseline.json"
    assert any("baseline .govcheck-baseline.json" in n and "not applied" in n for n in report["notes"])


def test_pr_weakening_its_config_is_judged_with_the_base_config(git_repo: Path) -> None:
    _add_failing_packet(git_repo)
    weak = "rules:\n" + "".join(f"  {r}:\n    severity: off\n" for r in ("spec-stale", "field-missing"))
    (git_repo / "govcheck.yaml").write_text(weak)
    _commit_all(git_repo, "new packet, rules switched off")

    res, report = _ci(git_repo)

    assert res.exit_code == 1
    rules = {f["rule"] for p in report["packets"] if p["id"] == FAILING for f in p["findings"]}
    assert "spec-stale" in rules
    gate = _gate_findings(report)
    assert [(g["data"]["kind"], g["data"]["base_sha256"]) for g in gate] == [("config", None)]
    assert any(n.startswith("Judged with the config of the merge base") for n in report["notes"])
    assert any("The change's config" in n and "not applied" in n for n in report["notes"])


def test_base_config_allowing_config_changes_reports_a_warning(git_repo: Path) -> None:
    (git_repo / "govcheck.yaml").write_text("ci:\n  allow_config_changes: true\n")
    _make_base(git_repo, "allow config changes")
    (git_repo / "govcheck.yaml").write_text("ci:\n  allow_config_changes: true\nrun:\n  timeout: 30\n")
    _touch_packet(git_repo)
    _commit_all(git_repo, "tune the timeout")

    res, report = _ci(git_repo)

    assert res.exit_code == 0, report
    gate = _gate_findings(report)
    assert [(g["severity"], g["data"]["allowed"]) for g in gate] == [("warning", True)]


def test_pr_may_not_grant_itself_allow_config_changes(git_repo: Path) -> None:
    (git_repo / "govcheck.yaml").write_text("ci:\n  allow_config_changes: true\n")
    _add_failing_packet(git_repo)
    _commit_all(git_repo, "allow myself")

    res, report = _ci(git_repo)

    assert res.exit_code == 1
    assert [(g["severity"], g["data"]["allowed"]) for g in _gate_findings(report)] == [("error", False)]


def test_unchanged_config_and_baseline_raise_no_gate_finding(git_repo: Path) -> None:
    (git_repo / "govcheck.yaml").write_text("run:\n  timeout: 30\n")
    _make_base(git_repo, "config at the base")
    _touch_packet(git_repo)
    _commit_all(git_repo, "touch a packet")

    res, report = _ci(git_repo)

    assert res.exit_code == 0 and _gate_findings(report) == []


def test_broken_config_in_the_change_is_a_finding_not_a_lost_run(git_repo: Path) -> None:
    _add_failing_packet(git_repo)
    (git_repo / "govcheck.yaml").write_text("rules: [unclosed\n")
    _commit_all(git_repo, "broken config")

    res, report = _ci(git_repo)

    assert res.exit_code == 1
    gate = _gate_findings(report)
    assert len(gate) == 1 and "does not load" in gate[0]["message"]


def test_validate_still_reads_the_working_tree_config(git_repo: Path) -> None:
    _add_failing_packet(git_repo)
    (git_repo / "govcheck.yaml").write_text(
        "rules:\n  spec-stale:\n    severity: off\n  done-means-unevidenced:\n    severity: off\n")
    res = run_cli("validate", FAILING, "--repo", git_repo, "--no-run", "--format", "json")
    rules = {f["rule"] for f in res.json()["packets"][0]["findings"]}
    assert "spec-stale" not in rules


# -- item 8: config and baseline stay inside the repo -------------------------------


def test_config_linked_outside_the_repo_is_refused(git_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("rules:\n  spec-stale:\n    severity: off\n")
    (git_repo / "govcheck.yaml").symlink_to(outside)
    _add_failing_packet(git_repo)

    res = run_cli("validate", FAILING, "--repo", git_repo, "--no-run")

    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "outside the repository" in res.stderr


def test_baseline_naming_a_file_outside_the_repo_is_refused_without_its_content(git_repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text('{"token": "hunter2-not-a-baseline"}\n')
    (git_repo / "govcheck.yaml").write_text(f"baseline: {os.path.relpath(secret, git_repo)}\n")

    res = run_cli("validate", "--all", "--repo", git_repo, "--no-run")

    assert res.exit_code == 2 and "outside the repository" in res.stderr
    assert "hunter2" not in res.stderr


def test_baseline_command_does_not_write_where_the_config_points_outside(git_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "written-by-govcheck.json"
    (git_repo / "govcheck.yaml").write_text(f"baseline: {os.path.relpath(outside, git_repo)}\n")

    res = run_cli("baseline", "--repo", git_repo)

    assert res.exit_code == 2 and "outside the repository" in res.stderr
    assert not outside.exists()


def test_baseline_error_names_what_is_wrong_never_the_content(git_repo: Path) -> None:
    (git_repo / "inside.json").write_text(json.dumps({"token": "hunter2-inside"}))
    (git_repo / "govcheck.yaml").write_text("baseline: inside.json\n")

    res = run_cli("validate", "--all", "--repo", git_repo, "--no-run")

    assert res.exit_code == 2 and "inside.json" in res.stderr and "not a govcheck baseline" in res.stderr
    assert "hunter2" not in res.stderr and res.stderr.count("\n") == 1


# -- item 12: an empty range or an empty selection is loud ---------------------------


def test_base_equal_to_head_is_exit_2_with_a_reason(git_repo: Path) -> None:
    res = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "HEAD")
    assert res.exit_code == 2
    assert "nothing to compare" in res.stderr and "--allow-empty" in res.stderr


def test_origin_head_being_the_checked_out_branch_is_not_a_silent_pass(git_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    _add_failing_packet(git_repo)
    _commit_all(git_repo, "failing packet on feature")
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{git_repo}", str(clone)],
                   check=True, capture_output=True)
    res = run_cli("ci", "--repo", clone, "--no-run")  # default base: origin/HEAD = feature itself
    assert res.exit_code == 2
    assert "nothing to compare" in res.stderr and "fetch-depth: 0" in res.stderr


def test_shallow_base_failure_says_to_fetch_full_history(git_repo: Path, tmp_path: Path) -> None:
    p = git_repo / PACKETS / "WP-1-Job-Queue-v2.md"
    for i in range(3):
        p.write_text(p.read_text() + f"\n<!-- edit {i} -->\n")
        _commit_all(git_repo, f"edit {i}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{git_repo}", str(clone)],
                   check=True, capture_output=True)
    _git(clone, "checkout", "-q", "feature")
    res = run_cli("ci", "--repo", clone, "--no-run", "--base", "origin/main")
    assert res.exit_code == 2
    assert "fetch-depth: 0" in res.stderr and res.stderr.count("\n") == 1


def test_change_selecting_no_packet_is_exit_2_unless_allowed(git_repo: Path) -> None:
    (git_repo / "src/jobs/queue.py").write_text((git_repo / "src/jobs/queue.py").read_text() + "\n")
    _commit_all(git_repo, "code only")
    res = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "main")
    assert res.exit_code == 2 and "nothing to validate" in res.stderr
    allowed = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "main", "--allow-empty")
    assert allowed.exit_code == 0


def test_base_config_linked_inside_the_tree_is_followed(git_repo: Path) -> None:
    (git_repo / "config").mkdir()
    (git_repo / "config/govcheck.yaml").write_text("ci:\n  allow_config_changes: true\n")
    (git_repo / "govcheck.yaml").symlink_to("config/govcheck.yaml")
    _make_base(git_repo, "config behind a link")
    (git_repo / "config/govcheck.yaml").write_text("ci:\n  allow_config_changes: true\nrun:\n  timeout: 30\n")
    _touch_packet(git_repo)
    _commit_all(git_repo, "tune the timeout through the link")

    res, report = _ci(git_repo)

    assert [(g["severity"], g["data"]["allowed"]) for g in _gate_findings(report)] == [("warning", True)]


def test_base_config_linked_outside_the_tree_is_a_setup_error(git_repo: Path) -> None:
    (git_repo / "govcheck.yaml").symlink_to("../elsewhere.yaml")
    _make_base(git_repo, "config linked out")
    _touch_packet(git_repo)
    _commit_all(git_repo, "touch a packet")

    res = run_cli("ci", "--repo", git_repo, "--no-run", "--base", "main")

    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "merge base" in res.stderr and "outside the repository" in res.stderr
