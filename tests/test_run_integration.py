"""TEST_PLANs run end to end through the CLI: the safety fixture, caching,
placeholders, policy, and the verdict rules that use the outcomes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, GOOD_GEN2, STORAGE, copy_fixture, run_cli, write_packet

SECRETS = {
    "MY_API_TOKEN": "tok-4f1e9c",
    "AWS_SECRET_ACCESS_KEY": "aws-9d8e7f",
    "GITHUB_TOKEN": "ghp-77aa11",
    "DB_PASSWORD": "pw-31337x",
}


def _live_processes_in(folder: Path) -> list[int]:
    """Host pids of live processes working in ``folder`` (a pid the command
    wrote down is its PID namespace's, not the host's)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd") == str(folder):
                with open(f"/proc/{entry}/stat") as fh:
                    if not fh.read().split(") ", 1)[1].startswith("Z"):  # a zombie is dead
                        found.append(int(entry))
        except OSError:
            continue
    return found


@pytest.fixture(autouse=True)
def fast_kill(monkeypatch):
    """A short kill grace: the timed-out commands end in a fraction of a second."""
    import govcheck.run.runner as runner

    monkeypatch.setattr(runner, "KILL_GRACE_S", 0.2)
    monkeypatch.setattr(runner, "REAPER_MARGIN_S", 0.3)


def test_safety_fixture_statuses_caps_and_secrets(tmp_path):
    repo = tmp_path / "repo"
    copy_fixture(FIXTURES / "runner-safety", repo)
    t0 = time.monotonic()
    res = run_cli("validate", "WP-9-Runner-Safety", "--repo", repo, "--timeout", "8", "--format", "json",
                  env={**SECRETS, "PATH": os.environ["PATH"]})
    elapsed = time.monotonic() - t0
    assert res.exit_code == 1, res.stderr
    packet = res.json()["packets"][0]
    statuses = [c["status"] for c in packet["commands"]]
    # 4 leaves a background process: found, ended, and the command fails
    assert statuses == ["passed", "failed", "timeout", "failed", "passed", "passed"]
    assert packet["commands"][3]["reason"].startswith("left 1 process(es) running after it exited")
    # one 8 s timeout: 300 MB through a loaded 2-core machine took up to 7 s
    # (5 s before secrets were masked), plus the rest
    assert elapsed < 30, elapsed
    assert _live_processes_in(repo) == []
    cap = 10 * 1024 * 1024
    for c in packet["commands"]:
        log = repo / c["log_path"]
        data = log.read_bytes()
        assert hashlib.sha256(data).hexdigest() == c["log_sha256"]
        assert len(data) <= cap + 200
        for secret in SECRETS.values():
            assert secret.encode() not in data, (c["command"], secret)
    big = packet["commands"][4]
    assert big["log_size"] > cap and "output truncated" in (repo / big["log_path"]).read_text()[-200:]
    env_log = (repo / packet["commands"][5]["log_path"]).read_text()
    assert "PATH=" in env_log
    assert packet["commands"][0]["proof_lines"] == ["3 passed, 0 failed"]
    rules = {f["rule"] for f in packet["findings"]}
    assert "test-plan-failed" in rules
    # the ignore file keeps logs out of git
    assert (repo / ".govcheck/.gitignore").read_text() == "*\n"


def _git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    copy_fixture(STORAGE, repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], check=True)
    return repo


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_unchanged_rerun_is_cached_and_rerun_forces(tmp_path):
    repo = _git_repo(tmp_path)
    args = ("validate", "WP-1-Job-Queue-v2", "--repo", repo, "--format", "json")
    first = run_cli(*args).json()["packets"][0]["commands"][0]
    assert first["status"] == "passed" and not first["cached"]
    second = run_cli(*args).json()["packets"][0]["commands"][0]
    assert second["cached"] and second["status"] == "passed"
    assert second["log_sha256"] == first["log_sha256"]
    forced = run_cli(*args, "--rerun").json()["packets"][0]["commands"][0]
    assert not forced["cached"]
    # an edit to the code the command sees invalidates the cache
    (repo / "src/jobs/queue.py").write_text((repo / "src/jobs/queue.py").read_text() + "\n# touched\n")
    changed = run_cli(*args).json()["packets"][0]["commands"][0]
    assert not changed["cached"]


def test_allowlist_refuses_and_fails(storage_repo):
    (storage_repo / "govcheck.yaml").write_text("run:\n  allow: ['^cargo ']\n")
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    assert res.exit_code == 1
    p = res.json()["packets"][0]
    assert p["commands"][0]["status"] == "refused"
    got = [f for f in p["findings"] if f["rule"] == "test-plan-failed"]
    assert got and "run.allow" in got[0]["message"]


def test_placeholders_filled_from_packet_or_refused(storage_repo):
    text = GOOD_GEN2.replace("python3 src/jobs/check_queue.py\n```",
                             "test {{WP_ID}} = WP-1-Job-Queue-v2 && test {{MERGE_BASE_SHA}} = 0000000000000000000000000000000000000000\ntest -n '{{NOT_A_FIELD}}'\n```")
    write_packet(storage_repo, "WP-1-Job-Queue-v2", text)
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    cmds = res.json()["packets"][0]["commands"]
    assert [c["status"] for c in cmds] == ["passed", "refused"]
    assert "{{NOT_A_FIELD}}" in cmds[1]["reason"]


def test_status_unproven_when_done_packet_fails_now(storage_repo):
    # the code the Done packet relies on breaks after it was closed
    (storage_repo / "src/jobs/queue.py").write_text("raise SystemExit('broken')\n")
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    p = res.json()["packets"][0]
    assert p["verdict"] == "FAIL"
    rules = [f["rule"] for f in p["findings"]]
    assert "status-unproven" in rules and "test-plan-failed" in rules
    crit = {c["status"] for c in p["criteria"]}
    assert "tests-failed" not in crit  # no "tests pass" criterion in this packet


def test_status_unproven_not_for_in_progress(storage_repo):
    text = GOOD_GEN2.replace("- **Status:** Done", "- **Status:** In Progress")
    write_packet(storage_repo, "WP-1-Job-Queue-v2", text)
    (storage_repo / "src/jobs/queue.py").write_text("raise SystemExit('broken')\n")
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    rules = [f["rule"] for f in res.json()["packets"][0]["findings"]]
    assert "test-plan-failed" in rules and "status-unproven" not in rules


def test_tests_pass_criterion_linked_to_outcome(storage_repo):
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", storage_repo)
    assert "- [x] Tests above pass. (line 31) — tests-passed; all 1 TEST_PLAN command(s) passed" in res.stdout
    (storage_repo / "src/storage/store.py").write_text("raise SystemExit(2)\n")
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", storage_repo)
    assert "- [ ] Tests above pass. (line 31) — tests-failed" in res.stdout


def test_no_run_skips_everything(storage_repo):
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run", "--format", "json")
    for p in res.json()["packets"]:
        assert {c["status"] for c in p["commands"]} == {"skipped"}
    assert not (storage_repo / ".govcheck" / "logs").exists()  # only the parse cache, git-ignored
    assert (storage_repo / ".govcheck" / ".gitignore").read_text() == "*\n"


def test_fail_fast_and_parallel_order(tmp_path):
    repo = tmp_path / "repo"
    copy_fixture(FIXTURES / "runner-safety", repo)
    res = run_cli("validate", "WP-9-Runner-Safety", "--repo", repo, "--fail-fast", "--format", "json")
    statuses = [c["status"] for c in res.json()["packets"][0]["commands"]]
    assert statuses == ["passed", "failed", "skipped", "skipped", "skipped", "skipped"]
    # The packets' commands run in a copy: they would leave bytecode in the checkout.
    storage = copy_fixture(STORAGE, tmp_path / "storage")
    a = run_cli("validate", "--all", "--repo", storage, "-j", "2", "--rerun", "--format", "json",
                "--state-dir", tmp_path / "s1", env={"SOURCE_DATE_EPOCH": "1767225600"})
    b = run_cli("validate", "--all", "--repo", storage, "-j", "1", "--rerun", "--format", "json",
                "--state-dir", tmp_path / "s1", env={"SOURCE_DATE_EPOCH": "1767225600"})
    ids = [p["id"] for p in a.json()["packets"]]
    assert ids == [p["id"] for p in b.json()["packets"]] == sorted(ids)
