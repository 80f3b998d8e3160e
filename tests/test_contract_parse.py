"""Parsing of generation-3 contracts (packet.json, MT-NNN.json,
refinement.json) and the microtask checks built on them, on the
contract-era fixture and on small inline documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from contract_era import PACKETS, needs_half_corpus

from govcheck.analysis.microtasks import check_microtasks, check_phantom_completion
from govcheck.model.contract import MicrotaskContract, SourcedValue
from govcheck.parse.contract import (
    classify_microtask_status,
    parse_microtask_contract,
    parse_refinement_contract,
    parse_spec_anchor,
    parse_work_packet_contract,
)


def _line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle``: computed from
    the file so the expected lines follow the fixture if it is rewritten."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def _packet(wp: str):
    path = PACKETS / wp / "packet.json"
    return path, parse_work_packet_contract(path.read_bytes(), str(path))


def _microtasks(wp: str) -> list[MicrotaskContract]:
    return [parse_microtask_contract(p.read_bytes(), str(p)) for p in sorted((PACKETS / wp).glob("MT-*.json"))]


def test_packet_contract_fields_and_lines():
    path, c = _packet("WP-7-Recipe-Import-v1")
    assert c.readable and c.problems == ()
    assert c.wp_id.text == "WP-7-Recipe-Import-v1"
    assert c.base_wp_id.text == "WP-7-Recipe-Import"
    assert (c.status.text, c.status.field) == ("In Progress", "lifecycle.status")
    assert c.status.line == _line_of(path, '"status": "In Progress"')
    assert c.risk_tier.text == "MEDIUM"
    assert [a.text for a in c.acceptance_criteria][1] == "Import rejects a card without a title."
    assert c.acceptance_criteria[1].line == _line_of(path, "Import rejects a card")
    assert c.acceptance_criteria[1].field == "scope.acceptance_criteria[1]"
    assert [p.text for p in c.allowed_paths] == ["src/import/**", "tests/import/**"]
    assert c.refinement.contract_file.text.endswith("WP-7-Recipe-Import-v1/refinement.json")
    assert [m.text for m in c.microtasks.declared_ids] == ["MT-001", "MT-002"]
    assert c.projection.status == "GENERATED_IN_SYNC"
    assert c.projection.path.endswith("WP-7-Recipe-Import-v1/packet.md")


def test_escaped_section_sign_is_decoded_before_reading_sections():
    path, c = _packet("WP-7-Recipe-Import-v1")
    # The fixture writes the section sign as a JSON escape.
    assert "\\u00a72.4.1" in path.read_text(encoding="utf-8")
    first = c.spec_anchors[0]
    assert first.text.startswith("§2.4.1")
    assert first.sections == ("2.4.1",)
    assert first.line == _line_of(path, "\\u00a72.4.1")


def test_bundle_reference_is_a_version_and_a_slug_never_a_section():
    _, c = _packet("WP-7-Recipe-Import-v1")
    ref = c.spec_anchors[1]
    assert ref.bundle is not None
    assert ref.bundle.bundle_version == "v03.12"
    assert ref.bundle.module == "spec-modules/02-storage.md"
    assert ref.bundle.slug == "STORAGE-IMPORT"
    assert ref.sections == ()  # "03.12" is the bundle's version
    assert ref.spec_version == "v03.12"


def test_file_name_version_and_section_range():
    _, c = _packet("WP-7-Recipe-Import-v1")
    ref = c.spec_anchors[2]
    assert ref.spec_version == "v03.10"
    assert ref.sections == ("2.4.1", "2.4.2")
    assert ref.ranges == (("2.4.1", "2.4.2"),)
    assert {(v.version, v.role) for v in c.spec_versions} == {("v03.12", "anchor"), ("v03.10", "anchor")}


@pytest.mark.parametrize(
    "text, sections, version",
    [
        # A double-escaped section sign reaches the parser as six characters.
        ("\\u00a72.0.4", ("2.0.4",), None),
        ("Â§2.6.6.7.3", ("2.6.6.7.3",), None),
        ("A2.6.6.7.11 and CX-573.1", ("2.6.6.7.11",), None),
        ("6.9 Custom node intake (v02.189)", ("6.9",), "v02.189"),
        (".GOV/spec/master-spec-v02.184/spec-modules/02-x.md#2.3.13.9", ("2.3.13.9",), "v02.184"),
        ("Codex v1.4.md", (), None),
    ],
)
def test_spec_anchor_forms(text, sections, version):
    anchor = parse_spec_anchor(text)
    assert anchor.sections == sections
    assert anchor.spec_version == version


def test_spec_current_anchor_and_other_documents():
    assert parse_spec_anchor(".GOV/spec/SPEC_CURRENT.md").names_spec_current
    other = parse_spec_anchor(".GOV/operator/notes/brief.md#Reset-plan")
    assert other.document == ".GOV/operator/notes/brief.md" and other.bundle is None


def test_baseline_and_target_fields():
    doc = {
        "schema_id": "hsk.work_packet_contract@1", "wp_id": "WP-1-X",
        "lifecycle": {"spec_baseline": "Recipe_Master_Spec_v03.10.md"},
        "activation": {"spec_target_resolved": ".GOV/spec/SPEC_CURRENT.md -> .GOV/spec/master-spec-v03.12/x.json"},
    }
    c = parse_work_packet_contract(json.dumps(doc, indent=2))
    assert c.baseline_version == "v03.10"
    assert c.target_version == "v03.12"
    assert c.spec_versions[1].field == "activation.spec_target_resolved"
    assert c.spec_versions[1].line == 8  # "{", 2 keys, "lifecycle": {, 1, }, "activation": {, this


def test_invalid_json_names_line_and_column():
    path, c = _packet("WP-7-Broken-Contract-v1")
    assert not c.readable
    (problem,) = c.problems
    assert problem.kind == "invalid-json"
    assert (problem.line, problem.column) == (4, 43)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"[" * 100_000, "too-deep"),  # the decoder runs out of stack: reported, not raised
        (b'{"a": NaN}', "not-js-json"),  # Python accepts NaN, JavaScript's JSON.parse does not
        (b'["a list"]', "not-object"),
    ],
)
def test_unreadable_documents_are_problems_not_exceptions(data, kind):
    for parse in (parse_work_packet_contract, parse_microtask_contract, parse_refinement_contract):
        c = parse(data)
        assert not c.readable
        assert [p.kind for p in c.problems][-1] == kind


def test_bom_is_read_past_but_reported():
    c = parse_microtask_contract('\ufeff{"schema_id": "hsk.microtask_contract@1", "mt_id": "MT-001"}'.encode())
    assert c.readable and c.mt_id.text == "MT-001"
    assert [p.kind for p in c.problems] == ["bom"]


def test_wrong_schema_and_missing_identity():
    c = parse_work_packet_contract(b'{"schema_id": "hsk.microtask_contract@1"}')
    assert {p.kind for p in c.problems} == {"wrong-schema", "missing-field"}


def test_microtask_current_generator_fields():
    mt1 = _microtasks("WP-7-Recipe-Import-v1")[0]
    assert (mt1.status.text, mt1.status.field) == ("COMPLETED", "lifecycle.status")
    assert [t.field for t in mt1.tests] == ["scope.proof_targets[0]"]
    assert [a.text for a in mt1.acceptance] == ["Every field of a card survives."]
    assert [f.text for f in mt1.files] == ["src/import/cards.py"]
    assert mt1.title.text == "Read card files into recipes."


def test_microtask_older_generator_fields():
    path = PACKETS / "WP-7-Recipe-Import-v1" / "MT-002.json"
    mt2 = parse_microtask_contract(path.read_bytes(), str(path))
    assert (mt2.status.text, mt2.status.field) == ("PENDING", "status")
    assert mt2.status.line == _line_of(path, '"status": "PENDING"')
    assert [(d.text, d.field) for d in mt2.depends_on] == [("MT-001", "depends_on[0]")]
    assert [t.field for t in mt2.tests] == ["expected_tests[0]"]
    assert [a.field for a in mt2.acceptance] == ["acceptance[0]"]
    assert [f.field for f in mt2.files] == ["code_surfaces[0]"]
    assert mt2.title.text == "Reject untitled cards"


def test_microtask_third_generator_fields():
    mt1 = _microtasks("WP-7-Nutrition-Labels-v1")[0]
    assert [d.field for d in mt1.depends_on] == ["depends_on_mts[0]"]
    assert [t.field for t in mt1.tests] == ["proof_commands[0]"]
    assert [a.field for a in mt1.acceptance] == ["acceptance_criteria_refs[0]"]
    assert [f.field for f in mt1.files] == ["owned_files[0]"]


def test_conflicting_status_fields_are_reported():
    doc = {"mt_id": "MT-004", "status": "DONE", "lifecycle": {"status": "PENDING"}}
    mt = parse_microtask_contract(json.dumps(doc))
    assert mt.status.text == "PENDING"  # lifecycle.status is what the reference's board reads
    assert [p.kind for p in mt.problems] == ["conflicting-field"]


def test_dependency_ids_expand_lists_and_ranges():
    deps = (SourcedValue("MT-001 through MT-003", "lifecycle.depends_on[0]", 1),
            SourcedValue("MT-007; mt-002", "lifecycle.depends_on[1]", 2),
            SourcedValue("NONE", "depends_on[0]", 3))
    mt = MicrotaskContract("p", None, None, None, None, None, deps, (), (), (), (), (), None, ())
    assert mt.depends_on_ids == ("MT-001", "MT-002", "MT-003", "MT-007")


@pytest.mark.parametrize(
    "status, kind",
    [("COMPLETED", "done"), ("VALIDATED_V3", "done"), (" pending ", "open"), (None, "open"),
     ("READY_FOR_VALIDATION", "open"), ("HALF_DONE_MAYBE", "unknown")],
)
def test_microtask_status_classes(status, kind):
    assert classify_microtask_status(status) == kind


def test_microtask_checks_on_the_fixture():
    issues = check_microtasks(_microtasks("WP-7-Nutrition-Labels-v1"))
    by_kind = {i.kind: i for i in issues}
    assert set(by_kind) == {"unknown-status", "missing-dependency", "dependency-cycle"}
    assert by_kind["missing-dependency"].mt_ids == ("MT-001", "MT-009")
    assert by_kind["dependency-cycle"].mt_ids == ("MT-002", "MT-003")
    path = PACKETS / "WP-7-Nutrition-Labels-v1" / "MT-001.json"
    assert by_kind["unknown-status"].line == _line_of(path, "HALF_DONE_MAYBE")
    # A clean packet gives nothing.
    assert check_microtasks(_microtasks("WP-7-Recipe-Import-v1")) == ()


def test_phantom_completion():
    _, done = _packet("WP-7-Recipe-Export-v1")
    issue = check_phantom_completion(done, _microtasks("WP-7-Recipe-Export-v1"))
    assert issue is not None and issue.mt_ids == ("MT-002",)
    # In Progress with an open microtask is ordinary.
    _, active = _packet("WP-7-Recipe-Import-v1")
    assert check_phantom_completion(active, _microtasks("WP-7-Recipe-Import-v1")) is None


def test_refinement_contract():
    path = PACKETS / "WP-7-Recipe-Import-v1" / "refinement.json"
    r = parse_refinement_contract(path.read_bytes(), str(path))
    assert r.readable and r.wp_id.text == "WP-7-Recipe-Import-v1"
    assert r.status.text == "APPROVED"
    assert ("v03.12", "target") in {(v.version, v.role) for v in r.spec_versions}
    assert r.spec_anchors[0].bundle.slug == "STORAGE-IMPORT"


@needs_half_corpus
def test_every_corpus_contract_parses_and_status_comes_from_a_known_field():
    from contract_era import HALF_CORPUS

    root = HALF_CORPUS / ".GOV" / "task_packets"
    fields = set()
    for path in root.glob("WP-*/MT-*.json"):
        mt = parse_microtask_contract(path.read_bytes(), str(path))
        assert mt.readable, path
        fields.add(mt.status.field)
    # Both generator variants occur at HEAD (measured: 1,196 and 75).
    assert fields == {"lifecycle.status", "status"}
    for path in root.glob("WP-*/packet.json"):
        c = parse_work_packet_contract(path.read_bytes(), str(path))
        assert c.readable and c.wp_id.text == path.parent.name, path
