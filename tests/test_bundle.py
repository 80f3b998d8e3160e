"""Spec bundle integrity (analysis_bundle): module sha256 in INDEX.json and
the manifest against the committed module files."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_fixture
from contract_era import FIXTURE, HALF_CORPUS, needs_half_corpus, needs_node

from govcheck.analysis.bundle import (
    INDEX_FILE,
    MANIFEST_FILE,
    check_repo_bundles,
    reference_failure,
)
from govcheck.analysis.bundle import check_bundle_index as _check_in_repo
from govcheck.repo.repository import Repo


def check_bundle_index(bundle: Path, index_file: str = INDEX_FILE):
    """The bundle folder checked through a Repo rooted at its parent."""
    return _check_in_repo(Repo(bundle.parent), bundle.name, index_file)

CURRENT = FIXTURE / ".GOV/spec/master-spec-v03.12"
OLDER = FIXTURE / ".GOV/spec/master-spec-v03.11"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A private copy of the clean fixture bundle, free to damage."""
    return copy_fixture(CURRENT, tmp_path / "master-spec-v03.12")


def _edit_index(bundle: Path, change) -> None:
    path = bundle / INDEX_FILE
    index = json.loads(path.read_text(encoding="utf-8"))
    change(index)
    path.write_text(json.dumps(index, indent=2), encoding="utf-8")


def test_clean_bundle():
    for name in (INDEX_FILE, MANIFEST_FILE):
        result = check_bundle_index(CURRENT, name)
        assert result.ok, result
        assert result.module_count == 2 and result.spec_version == "v03.12"
        assert reference_failure(result) is None


def test_module_edited_after_indexing():
    result = check_bundle_index(OLDER, INDEX_FILE)
    (mismatch,) = result.mismatches
    module = OLDER / "spec-modules/02-storage.md"
    assert mismatch.path == "spec-modules/02-storage.md"
    assert mismatch.actual_sha256 == hashlib.sha256(module.read_bytes()).hexdigest()
    assert mismatch.recorded_sha256 != mismatch.actual_sha256
    assert mismatch.module_id == "02"
    # The entry's line in INDEX.json.
    lines = (OLDER / INDEX_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[mismatch.line - 1].strip() == "{" and "02" in lines[mismatch.line]
    assert [p.kind for p in result.problems] == ["reconstruction"]
    assert reference_failure(result) == "indexed spec module hash mismatch: spec-modules/02-storage.md"


def test_line_endings_are_not_normalised(bundle):
    # The reference hashes raw bytes: the same text with CRLF is a change.
    module = bundle / "spec-modules/01-purpose.md"
    module.write_bytes(module.read_bytes().replace(b"\n", b"\r\n"))
    assert [m.path for m in check_bundle_index(bundle).mismatches] == ["spec-modules/01-purpose.md"]


def test_missing_module(bundle):
    (bundle / "spec-modules/01-purpose.md").unlink()
    result = check_bundle_index(bundle)
    (mismatch,) = result.mismatches
    assert mismatch.missing and mismatch.actual_sha256 is None
    assert reference_failure(result).startswith("Missing indexed spec module spec-modules/01-purpose.md")


def test_invalid_index_names_its_line(bundle):
    (bundle / INDEX_FILE).write_text('{\n  "modules": [\n    {"path": "x.md",}\n  ]\n}\n', encoding="utf-8")
    result = check_bundle_index(bundle)
    (problem,) = result.problems
    assert problem.kind == "index-invalid" and problem.line == 3


def test_path_leaving_the_bundle_is_not_read(bundle):
    _edit_index(bundle, lambda ix: ix["modules"][0].update(path="../../../../etc/hostname"))
    assert "unsafe-path" in [p.kind for p in check_bundle_index(bundle).problems]


def test_version_label_that_disagrees_with_the_folder(bundle):
    _edit_index(bundle, lambda ix: ix.update(spec_version="v03.10"))
    result = check_bundle_index(bundle)
    assert [p.kind for p in result.problems] == ["version-label"]
    assert result.mismatches == ()


def test_reconstruction_order_naming_an_unlisted_module(bundle):
    _edit_index(bundle, lambda ix: ix["reconstruction"]["module_order"].append("spec-modules/99-none.md"))
    assert [p.kind for p in check_bundle_index(bundle).problems] == ["module-order"]


def test_missing_index(tmp_path):
    assert [p.kind for p in check_bundle_index(tmp_path).problems] == ["index-missing"]


def test_repo_scan_over_the_fixture():
    results = {(r.bundle, r.index_file): r.ok for r in check_repo_bundles(Repo(FIXTURE))}
    assert results == {
        (".GOV/spec/master-spec-v03.11", INDEX_FILE): False,
        (".GOV/spec/master-spec-v03.11", MANIFEST_FILE): False,
        (".GOV/spec/master-spec-v03.12", INDEX_FILE): True,
        (".GOV/spec/master-spec-v03.12", MANIFEST_FILE): True,
    }


@needs_half_corpus
def test_corpus_bundles():
    """At the reference's June 2026 HEAD every bundle in .GOV/spec has the
    same 8 modules whose committed bytes differ from the recorded hash (the
    hashes were taken from text with partly CRLF line endings; the preamble
    matches its recorded hash once every LF is made CRLF). The reference's
    SPEC_CURRENT resolution stops at the first: measured with
    ``node .GOV/roles_shared/scripts/spec-current-check.mjs``."""
    results = check_repo_bundles(Repo(HALF_CORPUS))
    assert len(results) == 14  # 7 bundles, INDEX.json and manifest each
    assert {len(r.mismatches) for r in results} == {8}
    current = next(r for r in results if r.bundle.endswith("v02.195") and r.index_file == MANIFEST_FILE)
    assert reference_failure(current) == "indexed spec module hash mismatch: spec-modules/00-preamble.md"
    preamble = HALF_CORPUS / ".GOV/spec/master-spec-v02.195/spec-modules/00-preamble.md"
    crlf = hashlib.sha256(preamble.read_bytes().replace(b"\n", b"\r\n")).hexdigest()
    assert current.mismatches[0].recorded_sha256 == crlf
    # The v02.195 INDEX.json still calls itself v02.193.
    stale = next(r for r in results if r.bundle.endswith("v02.195") and r.index_file == INDEX_FILE)
    assert "version-label" in {p.kind for p in stale.problems}


@needs_half_corpus
@needs_node
def test_reference_stops_where_we_say(tmp_path):
    """Run the reference's spec-current-check on a copy holding just what it
    reads, and compare its error with reference_failure()."""
    repo = tmp_path / "repo"
    gov = HALF_CORPUS / ".GOV"
    shutil.copytree(gov / "roles_shared/scripts", repo / ".GOV/roles_shared/scripts",
                    ignore=shutil.ignore_patterns("*.test.mjs"))
    shutil.copytree(gov / "spec/master-spec-v02.195", repo / ".GOV/spec/master-spec-v02.195",
                    ignore=shutil.ignore_patterns("_transfer"))
    shutil.copy(gov / "spec/SPEC_CURRENT.md", repo / ".GOV/spec/SPEC_CURRENT.md")
    shutil.copy(gov / "spec/Handshake_Master_Spec_v02.182.md", repo / ".GOV/spec/")
    proc = subprocess.run(["node", ".GOV/roles_shared/scripts/spec-current-check.mjs"], cwd=repo, capture_output=True, text=True)
    assert proc.returncode != 0
    expected = reference_failure(check_bundle_index(repo / ".GOV/spec/master-spec-v02.195", MANIFEST_FILE))
    assert f"Error: {expected}" in proc.stderr
