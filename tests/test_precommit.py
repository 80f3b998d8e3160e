"""The pre-commit hook, run by a real pre-commit (from PyPI) in a test repo.

``pre-commit try-repo`` installs govcheck from this checkout (committed
state plus uncommitted changes) into its own environment, exactly as a
user's ``.pre-commit-config.yaml`` would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, STORAGE, copy_fixture

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
pytestmark = [
    pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git not installed"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the project as a git checkout"),
    # ~20 s (pre-commit builds a virtual environment): run by .ci/run, not by
    # the quick test command (pytest -m "not slow").
    pytest.mark.slow,
]

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _run(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_hook_passes_then_fails_on_a_broken_packet(tmp_path):
    repo = tmp_path / "repo"
    copy_fixture(STORAGE, repo)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("GIT_DIR", None)
    for args in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "base"]):
        _run(args, repo, env).check_returncode()
    packet = ".GOV/task_packets/WP-1-Job-Queue-v2.md"
    hook = [str(PRE_COMMIT), "try-repo", str(ROOT), "govcheck", "--files", packet, "src/jobs/queue.py"]

    ok = _run(hook, repo, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "govcheck (task packets)" in ok.stdout and "Passed" in ok.stdout

    path = repo / packet
    path.write_text(path.read_text().replace("- RISK_TIER: LOW", "- RISK_TIER: SEVERE"))
    bad = _run(hook, repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "field-invalid" in bad.stdout
    # the hook runs no TEST_PLAN command
    assert not (repo / ".govcheck" / "logs").exists()
