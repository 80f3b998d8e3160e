"""The contract-era rules (govcheck/rules/contract/) and the wiring behind
them: packet discovery by form, packet.json as the authority, planted
defects in fixtures/contract-era, each rule with a passing and a failing
case. (One file for the family until the rule tests move into
tests/rules/<family>/.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import copy_fixture, findings, run_cli, validate_json
from contract_era import FIXTURE, HALF_CORPUS, needs_half_corpus

from govcheck.repo.repository import Repo

PACKETS = ".GOV/task_packets"


@pytest.fixture(scope="module")
def fixture_report() -> dict:
    """The whole contract-era fixture validated once."""
    code, report = validate_json(FIXTURE, "--all")
    assert code == 1
    return report


def _packet(report: dict, wp_id: str) -> dict:
    return next(p for p in report["packets"] if p["id"] == wp_id)


def _rules(report: dict, wp_id: str) -> list[str]:
    return [f["rule"] for f in _packet(report, wp_id)["findings"]]


def _of(report: dict, wp_id: str, rule: str) -> list[dict]:
    return [f for f in _packet(report, wp_id)["findings"] if f["rule"] == rule]


def _edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_fixture(FIXTURE, tmp_path / "repo")


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
    assert _packet(fixture_report, "WP-7-Pantry-Sync-v1")["form"] == "contract"
    assert _packet(fixture_report, "WP-7-Nutrition-Labels-v1")["form"] == "microtasks"
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
    assert _packet(fixture_report, "WP-7-Pantry-Sync-v1")["verdict"] == "PASS"
    assert _rules(fixture_report, "WP-7-Pantry-Sync-v1") == []


# ---- the contract is the authority ----------------------------------------


def test_status_and_spec_version_follow_the_contract(fixture_report):
    labels = _packet(fixture_report, "WP-7-Pantry-Labels-v1")
    # Planted: the contract's spec_baseline moved to v03.12, the projection
    # still says v03.11. The report follows the contract, and the moved
    # contract is drift (the projection was not regenerated).
    assert labels["spec_version"] == "03.12"
    assert labels["spec_basis"]["kind"] == "json"
    assert "projection-drift" in _rules(fixture_report, "WP-7-Pantry-Labels-v1")
    assert "spec-stale" not in _rules(fixture_report, "WP-7-Pantry-Labels-v1")


def test_invalid_contract_is_not_replaced_by_the_projection(repo):
    # Break the contract of a packet that has a good projection: the
    # packet fails on the contract; the Markdown's status stays readable.
    (repo / PACKETS / "WP-7-Shopping-List-v1/packet.json").write_text('{"wp_id": "x",\n  oops\n}\n', encoding="utf-8")
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")
    assert code == 1
    (hit,) = findings(report, rule="contract-invalid")
    assert hit["path"].endswith("WP-7-Shopping-List-v1/packet.json") and hit["line"] == 2
    assert "line 2 column 3" in hit["message"]


# ---- contract-invalid ------------------------------------------------------


def test_contract_invalid_names_line_and_column(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Broken-Contract-v1", "contract-invalid")
    assert hit["line"] == 4 and hit["data"]["kind"] == "invalid-json"
    assert hit["message"].startswith("line 4 column ")
    assert _packet(fixture_report, "WP-7-Broken-Contract-v1")["verdict"] == "FAIL"


def test_contract_invalid_passes_on_good_contracts(fixture_report):
    for wp in ("WP-7-Recipe-Import-v1", "WP-7-Pantry-Sync-v1", "WP-7-Nutrition-Labels-v1"):
        assert not _of(fixture_report, wp, "contract-invalid")


def test_contract_invalid_covers_microtask_contracts_and_schema(repo):
    folder = repo / PACKETS / "WP-7-Recipe-Import-v1"
    (folder / "MT-002.json").write_bytes(b"\xef\xbb\xbf" + (folder / "MT-002.json").read_bytes())
    _edit_json(folder / "MT-001.json", lambda d: d.update(schema_id="hsk.something_else@1"))
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    got = {(Path(f["path"]).name, f["data"]["kind"]) for f in findings(report, rule="contract-invalid")}
    assert got == {("MT-002.json", "bom"), ("MT-001.json", "wrong-schema")}


# ---- projection-drift ------------------------------------------------------


def test_projection_drift_hand_edited_projection(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Shopping-List-v1", "projection-drift")
    assert "projection edited after it was generated" in hit["message"]
    assert hit["path"].endswith("packet.json") and hit["data"]["kinds"][0] == "projection-hash"


def test_projection_drift_contract_changed_without_restamp(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Meal-Planner-v1", "projection-drift")
    assert "contract changed since the projection was stamped" in hit["message"]


def test_projection_drift_passes_in_sync_pending_and_json_first(fixture_report):
    # Recipe-Import: in sync, with an MT whose projection is GENERATED_PENDING
    # (no Markdown yet: not drift); Pantry-Sync: JSON-first.
    for wp in ("WP-7-Recipe-Import-v1", "WP-7-Pantry-Sync-v1", "WP-7-Grocery-Budget-v1"):
        assert not _of(fixture_report, wp, "projection-drift"), wp


def test_projection_drift_missing_projection_that_the_contract_promises(repo):
    (repo / PACKETS / "WP-7-Recipe-Import-v1/MT-001.md").unlink()
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    (hit,) = findings(report, rule="projection-drift")
    assert hit["path"].endswith("MT-001.json") and "missing" in hit["message"]


def test_projection_drift_not_claimed_without_a_projection_block(repo):
    # A contract that states no markdown_projection promises nothing.
    _edit_json(repo / PACKETS / "WP-7-Shopping-List-v1/packet.json", lambda d: d.pop("markdown_projection"))
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")
    assert not findings(report, rule="projection-drift")


# ---- contract-status-conflict ---------------------------------------------


def test_status_conflict_between_contract_and_projection(fixture_report):
    # Planted: an importer's default "Ready for Dev" in the contract while the
    # projection (hashes in sync) keeps "Done".
    (hit,) = _of(fixture_report, "WP-7-Grocery-Budget-v1", "contract-status-conflict")
    assert hit["data"]["contract_status"] == "Ready for Dev" and hit["data"]["projection_status"] == "Done"
    assert hit["path"].endswith("packet.md") and hit["line"] == 6
    assert _packet(fixture_report, "WP-7-Grocery-Budget-v1")["status"] == "Ready for Dev"


def test_status_conflict_not_for_agreeing_or_reworded_statuses(fixture_report, repo):
    assert not _of(fixture_report, "WP-7-Recipe-Export-v1", "contract-status-conflict")
    # "Done [VALIDATED]" and "Done" are the same lifecycle state.
    _edit_json(repo / PACKETS / "WP-7-Recipe-Export-v1/packet.json",
               lambda d: d["lifecycle"].update(status="Done [VALIDATED]"))
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert not findings(report, rule="contract-status-conflict")


# ---- microtasks -------------------------------------------------------------


def test_microtask_status_outside_the_vocabulary(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Nutrition-Labels-v1", "microtask-status-unknown")
    assert hit["data"]["status"] == "HALF_DONE_MAYBE" and hit["path"].endswith("MT-001.json")
    assert hit["severity"] == "warning"
    assert not _of(fixture_report, "WP-7-Recipe-Import-v1", "microtask-status-unknown")


def test_microtask_vocabulary_is_configurable(repo):
    (repo / "govcheck.yaml").write_text(
        "rules:\n  microtask-status-unknown: {done_statuses: [COMPLETED, HALF_DONE_MAYBE]}\n", encoding="utf-8",
    )
    code, report = validate_json(repo, "WP-7-Nutrition-Labels-v1")
    assert not findings(report, rule="microtask-status-unknown")


def test_microtask_dependency_missing(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Nutrition-Labels-v1", "microtask-dependency-missing")
    assert hit["data"] == {"microtask": "MT-001", "dependency": "MT-009"}
    assert not _of(fixture_report, "WP-7-Recipe-Import-v1", "microtask-dependency-missing")


def test_microtask_dependency_on_free_text_is_not_judged(repo):
    _edit_json(repo / PACKETS / "WP-7-Recipe-Import-v1/MT-002.json",
               lambda d: d.update(depends_on=["WP-7-Recipe-Export-v1 merged first", "MT-077"]))
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    assert [f["data"]["dependency"] for f in findings(report, rule="microtask-dependency-missing")] == ["MT-077"]


def test_microtask_dependency_cycle(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Nutrition-Labels-v1", "microtask-dependency-cycle")
    assert hit["data"]["cycle"] == ["MT-002", "MT-003"]
    assert "MT-002 -> MT-003 -> MT-002" in hit["message"]
    assert not _of(fixture_report, "WP-7-Recipe-Import-v1", "microtask-dependency-cycle")


def test_closed_packet_with_open_microtasks_says_how_many_and_which(fixture_report):
    (hit,) = _of(fixture_report, "WP-7-Recipe-Export-v1", "closed-with-open-microtasks")
    assert "1 of 2 microtasks are open: MT-002" in hit["message"]
    assert hit["data"]["open"] == ["MT-002"]
    # In Progress with open microtasks is normal.
    assert not _of(fixture_report, "WP-7-Recipe-Import-v1", "closed-with-open-microtasks")


def test_closed_packet_with_only_unknown_statuses_is_not_called_open(repo):
    folder = repo / PACKETS / "WP-7-Recipe-Export-v1"
    _edit_json(folder / "MT-002.json", lambda d: d["lifecycle"].update(status="OUT_OF_SCOPE_BY_OPERATOR"))
    code, report = validate_json(repo, "WP-7-Recipe-Export-v1")
    assert not findings(report, rule="closed-with-open-microtasks")
    assert findings(report, rule="microtask-status-unknown")


# ---- spec-bundle-integrity --------------------------------------------------


def test_spec_bundle_integrity_passes_on_the_current_bundle(fixture_report):
    assert not [f for f in fixture_report["repo_findings"] if f["rule"] == "spec-bundle-integrity"]


def test_spec_bundle_integrity_names_the_modules_that_differ(repo):
    module = repo / ".GOV/spec/master-spec-v03.12/spec-modules/02-storage.md"
    module.write_bytes(module.read_bytes().replace(b"\n", b"\r\n"))
    code, report = validate_json(repo, "--all")
    got = [f for f in report["repo_findings"] if f["rule"] == "spec-bundle-integrity"]
    differ = [f for f in got if f["data"].get("differ")]
    assert {Path(f["path"]).name for f in differ} == {"INDEX.json", "indexed-spec-manifest.json"}
    assert all(f["data"]["differ"] == ["spec-modules/02-storage.md"] for f in differ)
    assert "1 of 2 modules differ" in differ[0]["message"]


def test_spec_bundle_integrity_all_bundles_option(repo):
    # The older bundle beside the current one has an edited module; it is
    # checked only when asked for.
    (repo / "govcheck.yaml").write_text("rules:\n  spec-bundle-integrity: {all_bundles: true}\n", encoding="utf-8")
    code, report = validate_json(repo, "--all")
    got = {f["path"] for f in report["repo_findings"] if f["rule"] == "spec-bundle-integrity"}
    assert got and all("master-spec-v03.11" in p for p in got)


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


def test_status_conflict_with_a_status_outside_the_vocabulary_that_says_passed(repo):
    _edit_json(repo / PACKETS / "WP-7-Recipe-Import-v1/packet.json",
               lambda d: d["lifecycle"].update(status="PASSED_INTEGRATION_VALIDATION_V3"))
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    (hit,) = findings(report, rule="contract-status-conflict")
    assert hit["data"]["projection_status"] == "In Progress"
    _edit_json(repo / PACKETS / "WP-7-Recipe-Import-v1/packet.json",
               lambda d: d["lifecycle"].update(status="SOMETHING_ELSE_V3"))
    code, report = validate_json(repo, "WP-7-Recipe-Import-v1")
    assert not findings(report, rule="contract-status-conflict")


def test_a_fifo_is_never_opened(repo):
    import os

    folder = repo / PACKETS / "WP-7-Shopping-List-v1"
    (folder / "packet.md").unlink()
    os.mkfifo(folder / "packet.md")
    code, report = validate_json(repo, "WP-7-Shopping-List-v1")  # would hang if the FIFO were read
    (hit,) = findings(report, rule="projection-drift")
    assert hit["data"]["kinds"] == ["projection-unreadable"]


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


def test_a_json_only_packet_is_waived_from_config(repo):
    # A packet without Markdown has nowhere to write WAIVERS GRANTED: a
    # repo-level waiver covers it, and the finding stays in the report.
    _edit_json(repo / PACKETS / "WP-7-Pantry-Sync-v1/packet.json", lambda d: d["lifecycle"].update(status="Done"))
    (repo / PACKETS / "WP-7-Pantry-Sync-v1/MT-002.json").write_text(
        json.dumps({"schema_id": "hsk.microtask_contract@1", "mt_id": "MT-002", "lifecycle": {"status": "PENDING"}}),
        encoding="utf-8",
    )
    code, report = validate_json(repo, "WP-7-Pantry-Sync-v1")
    assert code == 1 and [f["rule"] for f in findings(report)] == ["closed-with-open-microtasks"]
    (repo / "govcheck.yaml").write_text(
        "waivers:\n  - {id: W-9, date: 2026-01-02, justification: \"moved to a later packet\", "
        "rules: [closed-with-open-microtasks], packets: [WP-7-Pantry-Sync-v1]}\n", encoding="utf-8",
    )
    code, report = validate_json(repo, "WP-7-Pantry-Sync-v1")
    assert code == 0 and findings(report)[0]["waived_by"] == "W-9"
