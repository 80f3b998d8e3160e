"""--append: append-only, atomic, BOM/CRLF-preserving, tamper-evident."""

from __future__ import annotations

import os

import pytest
from conftest import GOOD_GEN2, findings, reopened_storage, run_cli, validate_json, write_packet

from govcheck.commands.append import AppendRefused, append_report, appended_reports, build_appended

WP = "WP-1-Job-Queue-v2"


def _bom_crlf(repo):
    text = GOOD_GEN2.replace("## VALIDATION_REPORTS\n", "")  # no section yet: it gets created
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    return write_packet(repo, WP, data), data


def test_append_twice_keeps_prefix_crlf_and_detects_edit(storage_repo):
    path, original = _bom_crlf(storage_repo)
    assert run_cli("validate", WP, "--repo", storage_repo, "--no-run", "--append").exit_code == 0
    once = path.read_bytes()
    assert once.startswith(original)
    assert run_cli("validate", WP, "--repo", storage_repo, "--no-run", "--append").exit_code == 0
    twice = path.read_bytes()
    assert twice.startswith(once)
    added = twice[len(original):]
    assert added.count(b"<!-- govcheck:report") == 2
    assert b"\n" not in added.replace(b"\r\n", b"")  # every added line ends in CRLF
    assert added.count(b"## VALIDATION_REPORTS") == 1  # created once, at the end
    reps = appended_reports(twice)
    assert [r.prior_ok and r.body_ok for r in reps] == [True, True]
    # the packet still passes, and its old reports are history
    code, report = validate_json(storage_repo, WP)
    assert code == 0, findings(report)
    # a hand edit to the first appended report
    first = twice.index(b"Verdict: PASS")
    path.write_bytes(twice[:first] + b"Verdict: FAIL" + twice[first + len(b"Verdict: PASS"):])
    code, report = validate_json(storage_repo, WP)
    tampered = findings(report, rule="report-tampered")
    assert code == 1
    assert {f["data"]["check"] for f in tampered} == {"body", "prior"}  # its own hash, and the next report's


def test_removed_middle_report_is_detected():
    base = b"# Packet\n\n## VALIDATION_REPORTS\n"
    one = build_appended(base, "## VALIDATION REPORT - A\nVerdict: PASS\n")
    two = build_appended(one, "## VALIDATION REPORT - B\nVerdict: FAIL\n")
    three = build_appended(two, "## VALIDATION REPORT - C\nVerdict: PASS\n")
    assert all(r.prior_ok and r.body_ok for r in appended_reports(three))
    start_b = appended_reports(three)[1].start
    start_c = appended_reports(three)[2].start
    without_b = three[:start_b] + three[start_c:]
    reps = appended_reports(without_b)
    assert len(reps) == 2 and not reps[1].prior_ok


def test_refuses_when_packet_changed_during_run(storage_repo):
    path = storage_repo / ".GOV/task_packets" / f"{WP}.md"
    before = path.read_bytes()
    import hashlib

    sha = hashlib.sha256(before).hexdigest()
    path.write_bytes(before + b"\nedited by someone else\n")
    with pytest.raises(AppendRefused):
        append_report(path, sha, "## VALIDATION REPORT\nVerdict: PASS\n")
    assert path.read_bytes() == before + b"\nedited by someone else\n"


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_crash_mid_write_leaves_packet_untouched(storage_repo, monkeypatch, fail_at):
    path = storage_repo / ".GOV/task_packets" / f"{WP}.md"
    before = path.read_bytes()
    import hashlib

    def boom(*a, **k):
        raise OSError(28, "No space left on device (simulated)")

    monkeypatch.setattr(os, fail_at, boom)
    with pytest.raises(OSError):
        append_report(path, hashlib.sha256(before).hexdigest(), "## VALIDATION REPORT\nVerdict: PASS\n")
    monkeypatch.undo()
    assert path.read_bytes() == before
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_append_keeps_mode(storage_repo):
    path = storage_repo / ".GOV/task_packets" / f"{WP}.md"
    os.chmod(path, 0o640)
    run_cli("validate", WP, "--repo", storage_repo, "--no-run", "--append")
    assert (path.stat().st_mode & 0o777) == 0o640


def test_reproducible_every_format(tmp_path):
    # WP-1-Storage-Foundation reopened, so that the run fails (the Done
    # original is OUTDATED) and every format carries a failing packet.
    storage_repo = reopened_storage(tmp_path / "repo")
    env = {"SOURCE_DATE_EPOCH": "1767225600"}
    outs = []
    for n in range(2):
        d = tmp_path / f"run{n}"
        d.mkdir()
        args = ["validate", "--all", "--repo", storage_repo, "--no-run"]
        for fmt, ext in (("markdown", "md"), ("json", "json"), ("sarif", "sarif"), ("junit", "xml"), ("github", "txt")):
            args += ["--format", fmt, "--output", d / f"r.{ext}"]
        assert run_cli(*args, env=env).exit_code == 1
        outs.append({p.name: p.read_bytes() for p in d.iterdir()})
    assert outs[0] == outs[1] and len(outs[0]) == 5
