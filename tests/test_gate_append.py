"""validate --append under contention and against a hostile editor
(issue 14, item 11): concurrent runs, a run killed mid-write, a deleted
last report, a note after the last report, markers quoted in code."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

from govcheck.commands.append import TEMP_TAG, AppendRefused, append_report, build_appended
from govcheck.parse.report_markers import appended_reports

WP = "WP-1-Job-Queue-v2"
PACKET = f".GOV/task_packets/{WP}.md"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tampered(report: dict) -> list[dict]:
    return [f for p in report["packets"] for f in p["findings"] if f["rule"] == "report-tampered"]


def _removed(report: dict) -> list[dict]:
    return [f for f in report["repo_findings"] if f["rule"] == "report-removed"]


def _validate(repo: Path, state: Path, *extra: str):
    return run_cli("validate", WP, "--repo", repo, "--no-run", "--state-dir", state, *extra)


# -- two runs at once ------------------------------------------------------------------


_APPEND_IN_CHILD = textwrap.dedent("""
    import sys
    from govcheck.commands.append import AppendRefused, append_report
    try:
        append_report(sys.argv[1], sys.argv[2], "## VALIDATION REPORT - child\\nVerdict: PASS\\n")
    except AppendRefused as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
""")


def test_second_concurrent_append_is_refused_not_lost(storage_repo: Path) -> None:
    path = storage_repo / PACKET
    before = path.read_bytes()
    # This test plays the first run: it holds the packet's lock while it
    # appends its own report. The child is the second run, which validated
    # the same bytes.
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    child = subprocess.Popen([sys.executable, "-c", _APPEND_IN_CHILD, str(path), _sha(before)],
                             stderr=subprocess.PIPE, text=True, cwd=path.parent)
    try:
        child.wait(timeout=5)  # today's code does not wait for the lock: it is done by now
    except subprocess.TimeoutExpired:
        pass  # waiting for the lock, as it should
    ours = build_appended(before, "## VALIDATION REPORT - parent\nVerdict: FAIL\n")
    tmp = path.with_name(path.name + ".parent.tmp")
    tmp.write_bytes(ours)
    os.replace(tmp, path)
    os.close(fd)  # releases the lock
    _out, err = child.communicate(timeout=120)

    final = path.read_bytes()
    child_kept = b"VALIDATION REPORT - child" in final
    assert child_kept or child.returncode == 3, "the second run exited normally but its report is gone"
    assert b"VALIDATION REPORT - parent" in final
    if not child_kept:
        assert "changed on disk" in err


def test_append_refuses_when_the_packet_changed_under_the_lock(storage_repo: Path) -> None:
    path = storage_repo / PACKET
    before = path.read_bytes()
    append_report(path, _sha(before), "## VALIDATION REPORT - first\nVerdict: PASS\n")
    with pytest.raises(AppendRefused):
        append_report(path, _sha(before), "## VALIDATION REPORT - second\nVerdict: PASS\n")
    assert path.read_bytes().count(b"govcheck:report") == 1


# -- a run killed in the rename window ---------------------------------------------------


_KILLED_BEFORE_RENAME = textwrap.dedent("""
    import os, signal, sys
    from govcheck.commands.append import append_report
    os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    append_report(sys.argv[1], sys.argv[2], "## VALIDATION REPORT\\nVerdict: PASS\\n")
""")


def test_temp_file_of_a_run_killed_before_its_rename_is_cleaned_by_the_next(storage_repo: Path) -> None:
    path = storage_repo / PACKET
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-c", _KILLED_BEFORE_RENAME, str(path), _sha(before)], cwd=path.parent,
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert left and all(TEMP_TAG in name for name in left)
    assert path.read_bytes() == before

    append_report(path, _sha(before), "## VALIDATION REPORT\nVerdict: PASS\n")

    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


# -- a deleted report --------------------------------------------------------------------


def test_deleting_the_only_report_is_reported_by_the_next_run(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = storage_repo / PACKET
    before = path.read_bytes()
    assert _validate(storage_repo, state, "--append").exit_code == 0
    assert path.read_bytes() != before
    path.write_bytes(before)  # the report deleted, byte for byte what it was

    res = _validate(storage_repo, state, "--format", "json")

    assert res.exit_code == 1
    removed = _removed(res.json())
    assert len(removed) == 1 and removed[0]["path"] == PACKET


def test_deleting_the_last_of_two_reports_is_reported(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = storage_repo / PACKET
    assert _validate(storage_repo, state, "--append").exit_code == 0
    one = path.read_bytes()
    assert _validate(storage_repo, state, "--append").exit_code == 0
    path.write_bytes(one)

    res = _validate(storage_repo, state, "--format", "json")

    assert len(_removed(res.json())) == 1 and _tampered(res.json()) == []


def test_a_fresh_report_after_a_deletion_is_not_reported(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert _validate(storage_repo, state, "--append").exit_code == 0
    res = _validate(storage_repo, state, "--format", "json")
    assert res.exit_code == 0 and _removed(res.json()) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_ci_reports_a_change_deleting_the_last_report(storage_repo: Path, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(storage_repo),
                        *args], check=True, capture_output=True)

    path = storage_repo / PACKET
    before = path.read_bytes()
    assert _validate(storage_repo, tmp_path / "state", "--append").exit_code == 0
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "packet with its report")
    git("checkout", "-q", "-b", "feature")
    path.write_bytes(before + b"\n")  # the report gone, the packet still "modified"
    git("commit", "-qam", "drop the report")

    res = run_cli("ci", "--repo", storage_repo, "--no-run", "--base", "main", "--format", "json",
                  "--state-dir", tmp_path / "ci-state")

    assert res.exit_code == 1, res.stderr
    removed = _removed(res.json())
    assert len(removed) == 1 and removed[0]["data"]["missing"] == 1


# -- what is not tampering ---------------------------------------------------------------


def test_human_note_after_the_last_report_is_no_tamper_alarm(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = storage_repo / PACKET
    assert _validate(storage_repo, state, "--append").exit_code == 0
    path.write_bytes(path.read_bytes() + b"Reviewed by the validator, 2026-03-01.\n")

    res = _validate(storage_repo, state, "--format", "json")

    assert _tampered(res.json()) == [] and _removed(res.json()) == []


def test_edit_inside_the_last_report_is_still_tampering(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = storage_repo / PACKET
    assert _validate(storage_repo, state, "--append").exit_code == 0
    data = path.read_bytes()
    marker = appended_reports(data)[-1]
    cut = data.index(b"\n", marker.start + 200)
    path.write_bytes(data[:cut] + b" (edited)" + data[cut:])

    res = _validate(storage_repo, state, "--format", "json")

    assert [f["data"]["check"] for f in _tampered(res.json())] == ["body"]


def test_marker_quoted_in_a_code_fence_is_no_report(storage_repo: Path, tmp_path: Path) -> None:
    path = storage_repo / PACKET
    quoted = (b"\n## NOTES\nAn appended report starts with a line like:\n\n```\n"
              b"<!-- govcheck:report v=1 prior_sha256=abc body_sha256=def tool=0.1.0 -->\n```\n")
    path.write_bytes(path.read_bytes().replace(b"## VALIDATION_REPORTS", quoted + b"\n## VALIDATION_REPORTS"))

    res = _validate(storage_repo, tmp_path / "state", "--format", "json")

    assert _tampered(res.json()) == []


def test_reports_hidden_in_an_opened_fence_still_count(storage_repo: Path, tmp_path: Path) -> None:
    # An editor who wraps the reports in a fence (to make them "quoted")
    # changes the bytes above the first one: it still fails its check.
    state = tmp_path / "state"
    path = storage_repo / PACKET
    assert _validate(storage_repo, state, "--append").exit_code == 0
    data = path.read_bytes()
    first = appended_reports(data)[0].start
    path.write_bytes(data[:first] + b"```\n" + data[first:] + b"```\n")

    res = _validate(storage_repo, state, "--format", "json")

    assert _tampered(res.json()) or _removed(res.json())
