"""Projection integrity (analysis_projection): the JavaScript-compatible
hashing, each drift situation of the contract-era fixture, and agreement
with the reference's own check on the June 2026 corpus."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import copy_fixture
from contract_era import (
    FIXTURE,
    HALF_CORPUS,
    PACKETS,
    REFERENCE_LIB,
    needs_half_corpus,
    needs_node,
)

from govcheck.analysis.projection import (
    check_contract_file,
    check_projections,
    contract_source_hash,
    is_iso_timestamp,
    js_number_to_string,
    js_stringify,
    parse_projection_header,
    projection_body_hash,
    stable_stringify,
    strip_projection_header,
)
from govcheck.repo.repository import Repo

# Measured by running the reference's own check
# (node .GOV/roles_shared/checks/packet-contract-projection-check.mjs, in a
# copy of the half corpus): 1,404 violation lines in 3 packet folders. Of
# those, 448 are GENERATED_PENDING microtasks of one packet whose Markdown
# was never written, which govcheck does not call drift.
REFERENCE_VIOLATIONS = 1404
REFERENCE_PACKETS = (
    "WP-KERNEL-002-CRDT-Workspace-Write-Box-Preuse-Hardening-v1",
    "WP-KERNEL-005",
    "WP-KERNEL-010-Tailor-Cloth-Garment-Engine-v1",
)
GOVCHECK_DRIFTED_PACKETS = REFERENCE_PACKETS[:2]


def _result(wp: str, name: str):
    return check_contract_file(Repo(FIXTURE), f".GOV/task_packets/{wp}/{name}")


# ---- JavaScript semantics -------------------------------------------------


@pytest.mark.parametrize(
    "number, text",
    [(1.0, "1"), (-0.0, "0"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
     (0.000001, "0.000001"), (123e-20, "1.23e-18"), (2**53 + 2, "9007199254740994"), (0.1, "0.1"), (-2.5e-8, "-2.5e-8")],
)
def test_numbers_print_as_javascript_does(number, text):
    assert js_number_to_string(number) == text


def test_stringify_escapes_like_json_stringify():
    # Control characters as lowercase \u00xx, lone surrogates escaped,
    # non-ASCII and U+2028 written as they are.
    assert js_stringify("\x01\x1f\x7f\u2028é\ud800\n") == '"\\u0001\\u001f\x7f\u2028é\\ud800\\n"'


def test_stable_key_order_follows_javascript():
    # Integer-like keys come first in numeric order; others sort by UTF-16
    # code unit (an astral character sorts before U+FFFF); __proto__ vanishes.
    text = stable_stringify({"b": 1, "10": 2, "9": 3, "01": 4, "k\uffff": 5, "k\U0001f600": 6, "__proto__": 7})
    assert [line.split('"')[1] for line in text.splitlines()[1:-1]] == ["9", "10", "01", "b", "k\U0001f600", "k\uffff"]
    assert text.endswith("}\n")


def test_source_hash_ignores_the_stamp_fields():
    contract = {"schema_id": "s", "markdown_projection": {"path": "p.md", "source_hash": "a", "projection_hash": "b", "generated_at_utc": "c"}}
    restamped = json.loads(json.dumps(contract))
    restamped["markdown_projection"].update(source_hash="x", projection_hash="y", generated_at_utc="z")
    assert contract_source_hash(contract) == contract_source_hash(restamped)
    restamped["schema_id"] = "t"
    assert contract_source_hash(contract) != contract_source_hash(restamped)


def test_header_is_stripped_with_the_white_space_after_it():
    md = "\ufeff<!-- HANDSHAKE_GENERATED_PROJECTION a=1 b=x=y -->\n\n# Body\n"
    assert strip_projection_header(md) == "# Body\n"
    assert parse_projection_header(md) == {"a": "1", "b": "x=y"}
    assert parse_projection_header("# no header\n") is None
    assert projection_body_hash(md) == projection_body_hash("# Body\n")


@pytest.mark.parametrize(
    "value, ok",
    # Outcomes of Node 20's Date.parse plus the reference's \d{4}-\d{2}-\d{2}T test.
    [("2026-03-04T05:06:07.890Z", True), ("2026-03-04T05:06", True), ("2026-02-31T00:00Z", True),
     ("2026-03-04T05:06+0100", True), ("2026-03-04T24:01Z", False), ("2026-03-04T05Z", False),
     ("2026-03-04", False), ("2026-13-04T00:00Z", False), (None, False)],
)
def test_iso_timestamps(value, ok):
    assert is_iso_timestamp(value) is ok


@needs_half_corpus
@needs_node
def test_hashes_agree_with_the_reference_library(tmp_path):
    """The reference's own stableStringify/contractSourceHash on values where
    JavaScript and Python differ."""
    cases = [
        {"b": 1, "a": [1.0, 1e21, 1e-7, 123456789012345678901234, 0.1, 5e-324, 100, 1e20]},
        {"10": "x", "9": "y", "01": "w", "4294967295": 1, "4294967294": 2, "__proto__": {"p": 1}},
        {"s": "\x01 \x1f \x7f \u2028 \ud800 \U0001f600 é §", "k\U0001f600": 1, "k\uffff": 2},
        {"markdown_projection": [1, 2]},
        {"markdown_projection": {"path": "x"}, "a": True},
        {"markdown_projection": "text"},
        {"x": 12345678901234567890},
        {"deep": json.loads("[" * 600 + "]" * 600)},  # deeper than a recursive serialiser manages under pytest
        None,  # contract || {}: the nulled stamp block shows
    ]
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases), encoding="utf-8")
    script = tmp_path / "run.mjs"
    script.write_text(
        f'import fs from "node:fs";\n'
        f'import {{ stableStringify, contractSourceHash, sha256Short }} from "{(REFERENCE_LIB / "packet-contract-lib.mjs").as_uri()}";\n'
        f'for (const c of JSON.parse(fs.readFileSync(process.argv[2], "utf8")))\n'
        f'  console.log(JSON.stringify([sha256Short(stableStringify(c)), contractSourceHash(c)]));\n',
        encoding="utf-8",
    )
    out = subprocess.run(["node", str(script), str(data)], capture_output=True, text=True, check=True).stdout
    from govcheck.analysis.projection import _js_number_from_text, short_hash
    from govcheck.parse.json_source import loads_with_lines

    values = loads_with_lines(data.read_bytes(), parse_int=_js_number_from_text, parse_float=_js_number_from_text).value
    ours = [[short_hash(stable_stringify(v)), contract_source_hash(v)] for v in values]
    assert ours == [json.loads(line) for line in out.splitlines()]


# ---- the fixture, one situation per packet ---------------------------------


def test_in_sync_contracts_have_no_issues():
    for name in ("packet.json", "refinement.json", "MT-001.json"):
        result = _result("WP-7-Recipe-Import-v1", name)
        assert result.issues == () and not result.is_drift, name
    assert _result("WP-7-Recipe-Export-v1", "packet.json").issues == ()


def test_hand_edited_projection():
    result = _result("WP-7-Shopping-List-v1", "packet.json")
    assert [i.kind for i in result.issues] == ["projection-hash", "header-projection_hash"]
    assert result.is_drift
    hash_issue = result.issues[0]
    assert hash_issue.found != hash_issue.expected
    # It points at the stamp in the contract.
    text = (PACKETS / "WP-7-Shopping-List-v1" / "packet.json").read_text(encoding="utf-8").splitlines()
    assert '"projection_hash"' in text[hash_issue.line - 1]


def test_contract_changed_without_restamp():
    result = _result("WP-7-Meal-Planner-v1", "packet.json")
    assert [i.kind for i in result.issues] == ["source-hash", "header-source_hash"]
    assert result.is_drift


def test_invalid_contract():
    result = _result("WP-7-Broken-Contract-v1", "packet.json")
    (issue,) = result.issues
    assert issue.kind == "invalid-contract" and issue.line == 4
    assert result.is_drift


def test_pending_projection_is_reported_as_the_reference_does_but_is_not_drift():
    result = _result("WP-7-Recipe-Import-v1", "MT-002.json")
    assert [i.kind for i in result.issues] == ["projection-missing"]
    assert not result.is_drift


def test_pending_projection_with_an_unstamped_file_is_not_drift(tmp_path):
    # The Markdown was written but the contract still says pending and has
    # no hashes: the reference lists violations, govcheck waits.
    repo = copy_fixture(FIXTURE, tmp_path / "repo")
    (repo / ".GOV/task_packets/WP-7-Recipe-Import-v1/MT-002.md").write_text("# MT-002\n", encoding="utf-8")
    result = check_contract_file(Repo(repo), ".GOV/task_packets/WP-7-Recipe-Import-v1/MT-002.json")
    assert "status-not-in-sync" in {i.kind for i in result.issues}
    assert not result.is_drift


def test_missing_projection_that_should_exist_is_drift(tmp_path):
    repo = copy_fixture(FIXTURE, tmp_path / "repo")
    (repo / ".GOV/task_packets/WP-7-Recipe-Import-v1/packet.md").unlink()
    result = check_contract_file(Repo(repo), ".GOV/task_packets/WP-7-Recipe-Import-v1/packet.json")
    assert [i.kind for i in result.issues] == ["projection-missing"] and result.is_drift


def test_json_first_contracts_are_skipped():
    for wp, name in (("WP-7-Pantry-Sync-v1", "packet.json"), ("WP-7-Nutrition-Labels-v1", "MT-001.json")):
        result = _result(wp, name)
        assert result.opted_out and result.issues == ()


def test_report_over_the_fixture():
    report = check_projections(Repo(FIXTURE))
    assert len(report.results) == 17
    assert report.opted_out_count == 7
    assert report.reference_packets == (
        "WP-7-Broken-Contract-v1", "WP-7-Meal-Planner-v1", "WP-7-Pantry-Labels-v1", "WP-7-Recipe-Import-v1",
        "WP-7-Shopping-List-v1",
    )
    assert report.drifted_packets == (
        "WP-7-Broken-Contract-v1", "WP-7-Meal-Planner-v1", "WP-7-Pantry-Labels-v1", "WP-7-Shopping-List-v1",
    )
    assert len(report.reference_violations) == 8


@needs_half_corpus
@needs_node
def test_reference_script_agrees_on_the_fixture(tmp_path):
    """The reference's own check, run over a copy of the fixture, prints the
    same lines (the JSON error's wording is V8's, so that line is compared
    by its prefix)."""
    repo = copy_fixture(FIXTURE, tmp_path / "repo")
    shared = repo / ".GOV" / "roles_shared"
    (shared / "checks").mkdir(parents=True)
    shutil.copy(HALF_CORPUS / ".GOV/roles_shared/checks/packet-contract-projection-check.mjs", shared / "checks")
    shutil.copytree(REFERENCE_LIB, shared / "scripts" / "lib")
    proc = subprocess.run(
        ["node", ".GOV/roles_shared/checks/packet-contract-projection-check.mjs"], cwd=repo, capture_output=True, text=True,
    )
    assert proc.returncode == 1
    theirs = sorted(line[4:] for line in proc.stderr.splitlines() if line.startswith("  - "))
    ours = sorted(check_projections(Repo(repo)).reference_violations)
    assert len(ours) == len(theirs) == 8
    for mine, ref in zip(ours, theirs):
        if "invalid JSON contract" in ref:
            assert mine.split("(")[0] == ref.split("(")[0]
        else:
            assert mine == ref


@needs_half_corpus
def test_corpus_drift_matches_the_reference_figures():
    report = check_projections(Repo(HALF_CORPUS))
    assert len(report.reference_violations) == REFERENCE_VIOLATIONS
    assert report.reference_packets == REFERENCE_PACKETS
    assert report.drifted_packets == GOVCHECK_DRIFTED_PACKETS


def test_projection_path_leaving_the_repo_is_not_read(tmp_path):
    # A hostile contract may name any file as its projection; the file is
    # not read and the contract is reported.
    repo = copy_fixture(FIXTURE, tmp_path / "repo")
    contract = repo / ".GOV/task_packets/WP-7-Shopping-List-v1/packet.json"
    doc = json.loads(contract.read_text(encoding="utf-8"))
    for target in ("/etc/hostname", "../outside.md"):
        doc["markdown_projection"]["path"] = target
        contract.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        result = check_contract_file(Repo(repo), ".GOV/task_packets/WP-7-Shopping-List-v1/packet.json")
        assert [i.kind for i in result.issues] == ["projection-outside-repo"] and result.is_drift
