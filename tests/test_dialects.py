"""Three teams' dialects under ``profile: generic`` (fixtures/dialect-*):
each fixture's whole report, finding by finding, and the facts it rests on."""

from __future__ import annotations

import json
from collections import Counter

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, copy_fixture, validate_json

# fixture -> packet id -> (verdict, the exact multiset of (rule, severity))
EXPECTED = {
    "dialect-front-matter": {
        "TASK-001": ("PASS", []),  # clean
        "TASK-002": ("OUTDATED", [("spec-stale", "error")]),  # stale: §2.2 changed
        "TASK-003": ("PASS", [("spec-stale", "info")]),  # unchanged-stale: §3.1 did not
        "TASK-004": ("FAIL", [("done-means-placeholder", "error")]),  # placeholder criterion
        "TASK-005": ("FAIL", [("spec-anchor-missing", "error")]),  # §4.3 in no version
        "TASK-006": ("FAIL", [("field-missing", "error")]),  # no Test plan
    },
    "dialect-bold-labels": {
        "CHG-001": ("PASS", []),
        "CHG-002": ("OUTDATED", [("spec-stale", "error")]),  # §2.2 changed
        "CHG-003": ("PASS", [("spec-stale", "info")]),  # §3.1, §1.1 did not
        "CHG-004": ("FAIL", [("placeholder-left", "error")]),  # **Impact:** <fill>
        "CHG-005": ("FAIL", [("spec-anchor-missing", "error")]),  # §5.2 in no version
        "CHG-006": ("FAIL", [("field-missing", "error")]),  # no **Impact:**
    },
    "dialect-folders": {
        "PAY-10": ("PASS", []),
        "PAY-11": ("OUTDATED", [("spec-stale", "error")]),  # §2.1 changed
        "PAY-12": ("PASS", [("spec-stale", "info")]),  # §3.1, §2.2 did not
        "PAY-13": ("FAIL", [("placeholder-left", "error")]),  # {{...}} in a Checks command
        "PAY-14": ("FAIL", [("spec-anchor-missing", "error")]),  # §4.2 in no version
        "PAY-15": ("FAIL", [("field-missing", "error")]),  # no status
    },
}

# fixture -> (SPEC_CURRENT form, the spec file it resolves to, its version)
SPEC_CURRENT = {
    "dialect-front-matter": ("markdown", "spec/billing-spec-v1.3.md", "1.3"),
    "dialect-bold-labels": ("markdown", "docs/spec/LENDING-2.1.md", "2.1"),
    "dialect-folders": ("latest", "spec/parking-v2.10.md", "2.10"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dialect_fixture_reports_exactly_its_cases(name, tmp_path):
    repo = copy_fixture(FIXTURES / name, tmp_path / name)
    code, report = validate_json(repo, "--all")
    # This checkout's schema (an installed govcheck._schemas may be another checkout's).
    jsonschema.validate(report, json.loads((ROOT / "schemas/report.schema.json").read_text(encoding="utf-8")))
    expected = EXPECTED[name]
    assert code == 1
    assert report["verdict"] == "FAIL"
    assert {p["id"] for p in report["packets"]} == set(expected)  # notes.md beside a task is no packet
    assert report["repo_findings"] == []
    assert report["notes"] == []
    sc = report["spec_current"]
    assert (sc["form"], sc["spec_file"], sc["version"]) == SPEC_CURRENT[name]
    got = Counter((p["id"], f["rule"], f["severity"]) for p in report["packets"] for f in p["findings"])
    want = Counter((pid, rule, sev) for pid, (_, found) in expected.items() for rule, sev in found)
    assert got == want
    assert {p["id"]: p["verdict"] for p in report["packets"]} == {pid: v for pid, (v, _) in expected.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dialect_fixture_reads_every_packets_facts(name, tmp_path):
    """What the findings rest on: every packet's commands, criteria and
    anchors were read (a clean packet that PASSes only because nothing was
    read would prove nothing)."""
    repo = copy_fixture(FIXTURES / name, tmp_path / name)
    _, report = validate_json(repo, "--all")
    for p in report["packets"]:
        missing_field = p["id"] in ("TASK-006",)
        assert bool(p["commands"]) != missing_field, p["id"]
        assert p["criteria"], p["id"]
        assert p["anchored_sections"], p["id"]
        if p["verdict"] != "FAIL":
            assert [c["status"] for c in p["criteria"]] == ["evidenced"], p["id"]
    stale = next(f for p in report["packets"] for f in p["findings"] if f["severity"] == "error"
                 and f["rule"] == "spec-stale")
    assert len(stale["data"]["changed_sections"]) == 1


def test_a_placeholder_in_a_field_is_named_as_the_team_names_it(tmp_path):
    repo = copy_fixture(FIXTURES / "dialect-bold-labels", tmp_path / "r")
    _, report = validate_json(repo, "CHG-004")
    [found] = report["packets"][0]["findings"]
    assert found["message"] == "Impact (RISK_TIER) still holds the placeholder '<fill>'"
    assert (found["line"], found["data"]["field"]) == (4, "RISK_TIER")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_init_on_the_fixture_without_its_config_finds_every_packet(name, tmp_path):
    """``govcheck init`` on each dialect with its govcheck.yaml removed: the
    config it writes finds every packet and the current spec, and the
    report then carries every case's finding."""
    from conftest import run_cli

    repo = copy_fixture(FIXTURES / name, tmp_path / name)
    (repo / "govcheck.yaml").unlink()
    res = run_cli("init", "--repo", str(repo))
    assert res.exit_code == 0, res.stderr
    assert (repo / "govcheck.yaml").is_file()
    _, report = validate_json(repo, "--all")
    assert {p["id"] for p in report["packets"]} == set(EXPECTED[name])
    assert report["spec_current"]["version"] == SPEC_CURRENT[name][2]
    found = {(p["id"], f["rule"]) for p in report["packets"] for f in p["findings"]}
    for wp_id, (_, rules) in EXPECTED[name].items():
        if wp_id in NEEDS_TEAM_POLICY.get(name, ()):
            continue
        for rule, _severity in rules:
            assert (wp_id, rule) in found, (wp_id, rule, res.stderr)


# Cases that rest on a team's own policy, which no layout shows: the lending
# team requires its **Impact:** label (risk_tier) in every record. init lists
# "Impact" among the names it did not map; the team adds it to fields and
# required_fields.
NEEDS_TEAM_POLICY = {"dialect-bold-labels": ("CHG-004", "CHG-006")}
