"""govcheck baseline: known findings pass, new ones fail, fixed ones are
reported; fingerprints survive line shifts."""

from __future__ import annotations

import json

import jsonschema
from conftest import GOOD_GEN2, reopened_storage, run_cli, write_packet

from govcheck.util.schemas import load_schema

SF = ".GOV/task_packets/WP-1-Storage-Foundation.md"


def _validate(repo, *extra):
    res = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.stderr
    return res.exit_code, res.json()


def test_baseline_then_only_new_findings_fail(tmp_path):
    # WP-1-Storage-Foundation reopened: it fails on spec-stale (the Done
    # original would be OUTDATED, which passes by default).
    storage_repo = reopened_storage(tmp_path / "repo")
    assert _validate(storage_repo)[0] == 1
    res = run_cli("baseline", "--repo", storage_repo)
    # spec-stale: the rules of later templates are not in force for this packet (analysis/era.py)
    assert res.exit_code == 0 and "recorded 1 finding(s)" in res.stderr
    doc = json.loads((storage_repo / ".govcheck-baseline.json").read_text())
    jsonschema.validate(doc, load_schema("baseline"))
    code, report = _validate(storage_repo)
    assert code == 0
    waived = [f for p in report["packets"] for f in p["findings"] if f["waived_by"] == "baseline"]
    assert [f["rule"] for f in waived] == ["spec-stale"]
    # lines shift above the old findings: still the same findings
    p = storage_repo / SF
    p.write_text(p.read_text().replace("## Metadata\n", "## Metadata\n\n<!-- moved down -->\n\n"))
    assert _validate(storage_repo)[0] == 0
    # a new finding fails
    write_packet(storage_repo, "WP-1-Job-Queue-v2", GOOD_GEN2.replace("- RISK_TIER: LOW", "- RISK_TIER: SEVERE"))
    code, report = _validate(storage_repo)
    assert code == 1
    new = [f for p in report["packets"] for f in p["findings"] if f["waived_by"] is None and f["severity"] == "error"]
    assert [f["rule"] for f in new] == ["field-invalid"]
    # --no-baseline counts everything again
    assert len([f for p in _validate(storage_repo, "--no-baseline")[1]["packets"] for f in p["findings"]
                if f["waived_by"] is None]) >= 2


def test_fixed_findings_are_reported(storage_repo):
    run_cli("baseline", "--repo", storage_repo)
    p = storage_repo / SF
    p.write_text(p.read_text().replace("Handshake_Master_Spec_v02.90.md", "Handshake_Master_Spec_v02.93.md")
                 .replace("v02.90 §2.3.12", "v02.93 §2.3.12"))
    code, report = _validate(storage_repo)
    assert code == 0
    assert any(n.startswith("Fixed since the baseline: spec-stale on WP-1-Storage-Foundation") for n in report["notes"])


def test_broken_baseline_is_exit_2(storage_repo):
    (storage_repo / ".govcheck-baseline.json").write_text('{"schema": "something-else"}')
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2 and ".govcheck-baseline.json" in res.stderr
