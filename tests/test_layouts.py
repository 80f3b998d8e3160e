"""Repository layouts of every era, SPEC_CURRENT forms, packet discovery."""

from __future__ import annotations

from conftest import FIXTURES, copy_fixture, findings, run_cli, validate_json

from govcheck.repo.repository import Repo


def test_docs_era_layout():
    repo = Repo(FIXTURES / "layout-docs")
    sc = repo.spec_current()
    assert (sc.path, sc.spec_file, sc.version, sc.form) == (
        "docs/SPEC_CURRENT.md", "Handshake_Master_Spec_v02.86.md", "02.86", "markdown"
    )
    # stubs and READMEs are not packets
    assert list(repo.packets) == ["WP-1-Logging"]
    code, report = validate_json(FIXTURES / "layout-docs", "--all")
    stale = findings(report, rule="spec-stale")
    assert stale[0]["data"]["packet_version"] == "02.85"


def test_gov_spec_layout_with_bold_path_and_folder_packets():
    repo = Repo(FIXTURES / "layout-gov-spec")
    sc = repo.spec_current()
    assert sc.spec_file == ".GOV/spec/Handshake_Master_Spec_v02.100.md"
    assert sc.version == "02.100"
    loc = repo.packets["WP-2-Folder-Packet"]
    assert loc.path.endswith("WP-2-Folder-Packet/packet.md")
    assert loc.superseded == (".GOV/task_packets/WP-2-Folder-Packet.md",)
    code, report = validate_json(FIXTURES / "layout-gov-spec", "--all")
    assert code == 0
    assert [f["rule"] for f in findings(report)] == ["packet-superseded"]
    # v02.99 in history is older: not a spec-current-not-latest finding
    assert not report.get("repo_findings")


def test_json_spec_current_and_gen3_packet():
    repo = Repo(FIXTURES / "layout-json")
    sc = repo.spec_current()
    assert sc.form == "json" and sc.version == "02.195"
    assert sc.bundle == ".GOV/spec/master-spec-v02.195"
    code, report = validate_json(FIXTURES / "layout-json", "WP-3-Contract-Packet")
    assert code == 0, findings(report)
    p = report["packets"][0]
    assert p["spec_version"] == "02.195"
    assert p["status"] == "In Progress"


def test_json_spec_current_anchor_missing_from_bundle(tmp_path):

    repo = tmp_path / "r"
    copy_fixture(FIXTURES / "layout-json", repo)
    pj = repo / ".GOV/task_packets/WP-3-Contract-Packet/packet.json"
    pj.write_text(pj.read_text().replace('["2.1"]', '["2.1", "3.4"]'))
    code, report = validate_json(repo, "WP-3-Contract-Packet")
    assert code == 1
    got = findings(report, rule="spec-anchor-missing")
    assert got and "3.4" in got[0]["data"]["sections"]


def test_compat_copy_of_spec_current_must_agree(storage_repo):
    (storage_repo / "docs").mkdir()
    (storage_repo / "docs/SPEC_CURRENT.md").write_text("# SPEC_CURRENT\n\n**Handshake_Master_Spec_v02.90.md**\n")
    res = run_cli("validate", "--all", "--repo", storage_repo, "--no-run", "--format", "json")
    assert res.exit_code == 1
    assert any(f["rule"] == "spec-current-mismatch" for f in res.json()["repo_findings"])
