"""Fixtures of the rule tests (the harness itself is tests/rules/harness.py)."""

from __future__ import annotations

import pytest
from conftest import CORPUS, run_cli


@pytest.fixture(scope="session")
def corpus_report():
    """The real corpus validated once (--all --no-run), as JSON."""
    res = run_cli("validate", "--all", "--repo", CORPUS, "--no-run", "--format", "json")
    return res.json()
