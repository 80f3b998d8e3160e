"""The command line: reports, exit codes, one-line errors."""

from __future__ import annotations

import json

import jsonschema
from conftest import GOOD_GEN2, STORAGE, copy_fixture, reopened_storage, run_cli

from govcheck.util.schemas import load_schema


def test_storage_foundation_fixture_is_stale_and_outdated():
    # Done work whose only error is spec drift: OUTDATED, which passes
    # unless the gate asks for it (--fail-on outdated).
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", STORAGE, "--no-run")
    assert res.exit_code == 0
    assert "## VALIDATION REPORT — WP-1-Storage-Foundation (" in res.stdout
    assert "Verdict: OUTDATED" in res.stdout
    assert "spec-stale" in res.stdout and "v02.90" in res.stdout and "v02.93" in res.stdout
    assert "REASON FOR OUTDATED" in res.stdout
    gated = run_cli("validate", "WP-1-Storage-Foundation", "--repo", STORAGE, "--no-run", "--fail-on", "outdated")
    assert gated.exit_code == 1 and "Verdict: OUTDATED" in gated.stdout


def test_reopened_stale_packet_fails(tmp_path):
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", reopened_storage(tmp_path / "repo"), "--no-run")
    assert res.exit_code == 1
    assert "## VALIDATION REPORT — WP-1-Storage-Foundation (" in res.stdout
    assert "Verdict: FAIL" in res.stdout
    assert "spec-stale" in res.stdout and "v02.90" in res.stdout and "v02.93" in res.stdout
    assert "REASON FOR FAIL" in res.stdout


def test_passing_packet_exits_zero():
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", STORAGE, "--no-run")
    assert res.exit_code == 0, res.stdout
    assert "Verdict: PASS" in res.stdout
    assert "REASON FOR PASS" in res.stdout


def test_json_report_validates_against_schema():
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "json")
    assert res.exit_code == 0
    doc = res.json()
    jsonschema.validate(doc, load_schema("report"))
    assert doc["verdict"] == "OUTDATED"
    assert doc["spec_current"]["version"] == "02.93"
    assert doc["spec_current"]["spec_file"] == "Handshake_Master_Spec_v02.93.md"
    by_id = {p["id"]: p for p in doc["packets"]}
    assert by_id["WP-1-Job-Queue-v2"]["verdict"] == "PASS"
    assert by_id["WP-1-Storage-Foundation"]["verdict"] == "OUTDATED"
    stale = [f for f in by_id["WP-1-Storage-Foundation"]["findings"] if f["rule"] == "spec-stale"]
    assert stale and stale[0]["data"]["packet_version"] == "02.90"
    assert stale[0]["data"]["current_version"] == "02.93"
    assert stale[0]["codex"] == "CX-573B"


def test_output_file_is_written(tmp_path):
    out = tmp_path / "report.md"
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", STORAGE, "--no-run", "--output", out)
    assert res.exit_code == 0
    assert res.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("## VALIDATION REPORT — WP-1-Job-Queue-v2")


def test_unknown_packet_suggests_close_matches():
    res = run_cli("validate", "WP-1-Job-Queue-v3", "--repo", STORAGE, "--no-run")
    assert res.exit_code == 2
    assert "WP-1-Job-Queue-v2" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr


def test_path_like_id_is_refused():
    res = run_cli("validate", "../x", "--repo", STORAGE, "--no-run")
    assert res.exit_code == 2
    assert "plain" in res.stderr or "not a" in res.stderr


def test_missing_repo_is_exit_2(tmp_path):
    res = run_cli("validate", "--all", "--repo", tmp_path / "nope", "--no-run")
    assert res.exit_code == 2
    assert res.stderr.startswith("govcheck: ")


def test_no_spec_current_is_exit_2(storage_repo):
    (storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md").unlink()
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2
    assert "SPEC_CURRENT" in res.stderr


def test_spec_current_naming_missing_file_is_exit_2(storage_repo):
    p = storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md"
    p.write_text(p.read_text().replace("v02.93", "v02.97"))
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2
    assert "v02.97" in res.stderr


def test_spec_current_without_pointer_is_exit_2(storage_repo):
    p = storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md"
    p.write_text("# SPEC_CURRENT\n\nNothing named here.\n")
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2


def test_usage_error_is_one_line():
    res = run_cli("validate", "--format", "yaml", "--repo", STORAGE)
    assert res.exit_code == 2
    assert res.stderr.startswith("govcheck: ")
    assert len(res.stderr.strip().splitlines()) == 1


def test_repo_found_by_walking_up(monkeypatch):
    monkeypatch.chdir(STORAGE / "src" / "jobs")
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--no-run")
    assert res.exit_code == 0


def test_symlink_leaving_repo_is_refused(storage_repo, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(GOOD_GEN2.replace("WP-1-Job-Queue-v2", "WP-9-Escape"))
    link = storage_repo / ".GOV/task_packets/WP-9-Escape.md"
    link.symlink_to(outside)
    res = run_cli("validate", "WP-9-Escape", "--repo", storage_repo, "--no-run", "--format", "json")
    assert res.exit_code == 1
    rules = [f["rule"] for f in res.json()["packets"][0]["findings"]]
    assert rules == ["packet-outside-repo"]


def test_rules_and_explain():
    res = run_cli("rules", "--format", "json")
    assert res.exit_code == 0
    listed = json.loads(res.stdout)
    ids = {r["id"] for r in listed}
    assert {"spec-stale", "done-means-missing", "field-missing"} <= ids
    assert all(set(r) >= {"id", "severity", "summary", "codex"} for r in listed)
    for rid in ids:
        ex = run_cli("explain", rid)
        assert ex.exit_code == 0, rid
        assert "How to fix" in ex.stdout, rid
    bad = run_cli("explain", "spec-stael")
    assert bad.exit_code == 2 and "spec-stale" in bad.stderr


def test_reports_are_reproducible_with_source_date_epoch():
    env = {"SOURCE_DATE_EPOCH": "1767225600"}
    a = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "json", env=env)
    b = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "json", env=env)
    assert a.stdout == b.stdout
    assert "2026-01-01" in a.stdout


def test_several_outputs_and_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    # --fail-on outdated: the fixture's stale Done packet fails the gate.
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--fail-on", "outdated",
                  "--format", "github", "--format", f"sarif:{tmp_path / 'g.sarif'}",
                  "--format", "junit", "--output", tmp_path / "g.xml",
                  env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert res.exit_code == 1
    # Paths are relative to the git workspace (this checkout), not the fixture repo.
    assert res.stdout.startswith("::")
    assert "file=fixtures/storage-foundation/.GOV/task_packets/WP-1-Storage-Foundation.md" in res.stdout
    assert json.loads((tmp_path / "g.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "g.xml").read_text().startswith("<?xml")
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "# govcheck: OUTDATED" in text  # appended, never replaced


def test_two_formats_to_stdout_is_a_usage_error():
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "json", "--format", "github")
    assert res.exit_code == 2 and "stdout" in res.stderr


def test_packet_folder_linked_outside_repo_is_not_searched(tmp_path):
    outside = tmp_path / "elsewhere"
    copy_fixture(STORAGE / ".GOV/task_packets", outside)
    repo = copy_fixture(STORAGE, tmp_path / "repo")
    import shutil

    shutil.rmtree(repo / ".GOV/task_packets")
    (repo / ".GOV/task_packets").symlink_to(outside, target_is_directory=True)
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", repo, "--no-run")
    assert res.exit_code == 2 and "unknown packet" in res.stderr


def test_format_output_pairs_follow_the_order_written_in_every_spelling(tmp_path):
    """--output pairs with the --format written before it, whatever the
    spelling click accepts (``-fjson``, ``--output=F``, options between)."""
    res = run_cli("validate", "--all", "--repo", STORAGE, "-fjson", "--no-run", f"--output={tmp_path / 'a.json'}",
                  "-q", "--format", "junit", "-o", tmp_path / "b.xml")
    assert res.exit_code == 0, res.stderr  # the fixture is OUTDATED, which passes
    assert json.loads((tmp_path / "a.json").read_text())["schema"] == "govcheck.report@1"
    assert (tmp_path / "b.xml").read_text().startswith("<?xml")
