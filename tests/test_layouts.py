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


def test_inside_answers_as_realpath_does(tmp_path):
    """Repo.inside caches folders' real paths and lstats only the last
    component: it must answer exactly as a realpath of the whole path."""
    import os

    from govcheck.repo.repository import Repo

    root = tmp_path / "repo"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.md").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "g.md").write_text("y")
    os.symlink(outside, root / "a" / "out")  # a folder link leaving the repo
    os.symlink(outside / "g.md", root / "a" / "b" / "link.md")  # a file link leaving it
    os.symlink(root / "a" / "b" / "f.md", root / "a" / "in.md")  # a link staying inside
    os.symlink("loop", root / "a" / "loop")  # a link to itself
    repo = Repo(root)
    cases = [root, root / "a", root / "a" / "b" / "f.md", root / "a" / "out", root / "a" / "out" / "g.md",
             root / "a" / "b" / "link.md", root / "a" / "in.md", root / "a" / "missing.md", root / "a" / "loop",
             root / "a" / "b" / ".." / ".." / ".." / "outside" / "g.md", root / "a" / "b" / "f.md" / "x",
             tmp_path, root / "a" / "out" / "missing"]
    for path in cases:
        expected = os.path.realpath(path) == str(root) or os.path.realpath(path).startswith(str(root) + os.sep)
        assert repo.inside(path) == expected, path
