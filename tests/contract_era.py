"""Paths shared by the contract-era tests: the fixture written for them and
the reference project's June 2026 corpus beside the checkout (tests that
need it skip where it is absent)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_fixture, validate_json

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "contract-era"
PACKETS = FIXTURE / ".GOV" / "task_packets"
HALF_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "handshake-6519f4e2-half"
REFERENCE_LIB = HALF_CORPUS / ".GOV" / "roles_shared" / "scripts" / "lib"

needs_half_corpus = pytest.mark.skipif(not HALF_CORPUS.is_dir(), reason="../shared corpus not present")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")


# -- reading the fixture's JSON report, editing its contracts ------------------


def packet_of(report: dict, wp_id: str) -> dict:
    """The report entry of packet ``wp_id``."""
    return next(p for p in report["packets"] if p["id"] == wp_id)


def rules_of(report: dict, wp_id: str) -> list[str]:
    return [f["rule"] for f in packet_of(report, wp_id)["findings"]]


def findings_of(report: dict, wp_id: str, rule: str) -> list[dict]:
    return [f for f in packet_of(report, wp_id)["findings"] if f["rule"] == rule]


def edit_json(path: Path, change) -> None:
    """Rewrite the JSON file at ``path`` after ``change(document)``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


# -- fixtures of the contract tests (imported by the modules that use them) ----


@pytest.fixture(scope="session")
def fixture_report() -> dict:
    """The whole contract-era fixture validated once (--all --no-run), as JSON."""
    code, report = validate_json(FIXTURE, "--all")
    assert code == 1
    return report


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A private copy of the contract-era fixture, free to edit."""
    return copy_fixture(FIXTURE, tmp_path / "repo")
