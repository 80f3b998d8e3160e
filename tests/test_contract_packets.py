"""The wiring behind the contract-era rules: packet discovery by form,
packet.json as the authority, records/ and spec_archive/ layouts, on
fixtures/contract-era and the half corpus. The rules' own cases are in
tests/rules/contract/."""

from __future__ import annotations

import contract_era
from conftest import copy_fixture, findings, run_cli, validate_json
from contract_era import FIXTURE, HALF_CORPUS, needs_half_corpus, packet_of, rules_of

from govcheck.repo.repository import Repo

PACKETS = ".GOV/task_packets"

# The contract-era fixtures (tests/contract_era.py), shared with tests/rules/contract/.
fixture_report = contract_era.fixture_report
repo = contract_era.repo


# ---- discovery: every packet folder is a packet, by form --------------------


def test_every_packet_folder_is_a_packet_with_its_form():
    forms = {wp: loc.form for wp, loc in Repo(FIXTURE).packets.items()}
    assert forms == {
        "WP-7-Broken-Contract-v1": "contract",
        "WP-7-Grocery-Budget-v1": "contract+projection",
        "WP-7-Meal-Planner-v1": "contract+projection",
        "WP-7-Nutrition-Labels-v1": "microtasks",
        "WP-7-Pantry-Labels-v1": "contract+projection",
        "WP-7-Pantry-Sync-v1": "contract",
        "WP-7-Recipe-Export-v1": "contract+projection",
        "WP-7-Recipe-Import-v1": "contract+projection",
        "WP-7-Shopping-List-v1": "contract+projection",
    }


def test_json_only_and_microtask_only_packets_can_be_validated_by_id():
    for wp in ("WP-7-Pantry-Sync-v1", "WP-7-Nutrition-Labels-v1"):
        code, report = validate_json(FIXTURE, wp)
        assert code in (0, 1), report
        assert report["packets"][0]["id"] == wp


def test_form_is_in_the_json_and_markdown_reports(fixture_report, tmp_path):
    assert packet_of(fixture_report, "WP-7-Pantry-Sync-v1")["form"] == "contract"
    assert packet_of(fixture_report, "WP-7-Nutrition-Labels-v1")["form"] == "microtasks"
    res = run_cli("validate", "WP-7-Pantry-Sync-v1", "--repo", FIXTURE, "--no-run", "--no-cache",
                  "--state-dir", tmp_path / "state")
    assert "- Packet form: contract (.GOV/task_packets/WP-7-Pantry-Sync-v1/packet.json only" in res.stdout


def test_a_markdown_packet_keeps_its_report_unchanged(tmp_path):
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", FIXTURE.parent / "storage-foundation", "--no-run",
                  "--no-cache", "--state-dir", tmp_path / "state")
    assert "Packet form" not in res.stdout


def test_flat_file_beside_a_json_only_folder_is_still_superseded(repo):
    (repo / PACKETS / "WP-7-Pantry-Sync-v1.md").write_text("# old\n", encoding="utf-8")
    code, report = validate_json(repo, "WP-7-Pantry-Sync-v1")
    assert [f["rule"] for f in findings(report)] == ["packet-superseded"]


def test_packets_without_markdown_get_no_markdown_template_findings(fixture_report):
    # A JSON-first contract in order passes: no "TEST_PLAN is missing" for a
    # document that by design does not exist.
    assert packet_of(fixture_report, "WP-7-Pantry-Sync-v1")["verdict"] == "PASS"
    assert rules_of(fixture_report, "WP-7-Pantry-Sync-v1") == []


# ---- the contract is the authority ----------------------------------------


def test_status_and_spec_version_follow_the_contract(fixture_report):
    labels = packet_of(fixture_report, "WP-7-Pantry-Labels-v1")
    # Planted: the contract's spec_baseline moved to v03.12, the projection
    # still says v03.11. The report follows the contract, and the moved
    # contract is drift (the projection was not regenerated).
    assert labels["spec_version"] == "03.12"
    assert labels["spec_basis"]["kind"] == "json"
    assert "projection-drift" in rules_of(fixture_report, "WP-7-Pantry-Labels-v1")
    assert "spec-stale" not in rules_of(fixture_report, "WP-7-Pantry-Labels-v1")


# ---- records, refinements, notes -------------------------------------------


def test_missing_board_and_registry_are_said_in_the_notes(fixture_report, repo):
    assert any(n.startswith("No task board found") for n in fixture_report["notes"])
    records = repo / ".GOV/roles_shared/records"
    records.mkdir(parents=True)
    (records / "TASK_BOARD.md").write_text("# Task Board\n\n## Ready for Dev\n", encoding="utf-8")
    (records / "WP_TRACEABILITY_REGISTRY.md").write_text("# Registry\n", encoding="utf-8")
    r = Repo(repo)
    assert r.task_board_path == ".GOV/roles_shared/records/TASK_BOARD.md"
    assert r.traceability_path == ".GOV/roles_shared/records/WP_TRACEABILITY_REGISTRY.md"
    assert r.layout_notes() == ()


def test_refinement_json_beside_the_packet_counts(repo):
    md = repo / PACKETS / "WP-7-Recipe-Export-v1/packet.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n- REFINEMENT_FILE: .GOV/refinements/WP-7-Recipe-Export-v1.md\n",
                  encoding="utf-8")
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert [f["data"]["refinement"] for f in findings(report, rule="refinement-missing")] == [
        ".GOV/refinements/WP-7-Recipe-Export-v1.md"
    ]
    (md.parent / "refinement.json").write_text('{"schema_id": "hsk.refinement_contract@1"}\n', encoding="utf-8")
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert not findings(report, rule="refinement-missing")


def test_archived_bundles_are_old_spec_texts(tmp_path):
    repo = copy_fixture(FIXTURE, tmp_path / "repo")
    archive = repo / ".GOV/spec/spec_archive"
    archive.mkdir()
    (repo / ".GOV/spec/master-spec-v03.11").rename(archive / "master-spec-v03.11")
    assert [b.path for b in Repo(repo).spec_bundles] == [
        ".GOV/spec/spec_archive/master-spec-v03.11", ".GOV/spec/master-spec-v03.12",
    ]


# ---- the half corpus ---------------------------------------------------------


@needs_half_corpus
def test_half_corpus_every_packet_folder_is_validated():
    r = Repo(HALF_CORPUS)
    folders = {p.name for p in (HALF_CORPUS / PACKETS).iterdir() if p.is_dir() and p.name.startswith("WP-")}
    assert folders <= set(r.packets)
    forms = {}
    for wp in folders:
        forms[r.packets[wp].form] = forms.get(r.packets[wp].form, 0) + 1
    assert forms == {"contract+projection": 96, "contract": 3, "microtasks": 1}


@needs_half_corpus
def test_half_corpus_packets_and_report_match_the_schemas():
    import jsonschema

    from govcheck.engine.loader import load_packet, open_repo
    from govcheck.model import to_jsonable
    from govcheck.util.schemas import load_schema

    repo, _config, _rules = open_repo(HALF_CORPUS)
    validator = jsonschema.Draft202012Validator(load_schema("packet"))
    for wp in ("WP-KERNEL-009-Project-Knowledge-Index-Loom-Rich-Editor-v1", "WP-KERNEL-010-Tailor-Cloth-Garment-Engine-v1",
               "WP-KERNEL-005", "WP-1-AppState-Refactoring-v2"):
        packet = load_packet(repo, repo.packets[wp])
        errors = list(validator.iter_errors(to_jsonable(packet.to_dict())))
        assert not errors, (wp, errors[0].message)
    code, report = validate_json(FIXTURE, "--all")
    jsonschema.validate(report, load_schema("report"))


