"""Paths shared by the contract-era tests: the fixture written for them and
the reference project's June 2026 corpus beside the checkout (tests that
need it skip where it is absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "contract-era"
PACKETS = FIXTURE / ".GOV" / "task_packets"
HALF_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "handshake-6519f4e2-half"
REFERENCE_LIB = HALF_CORPUS / ".GOV" / "roles_shared" / "scripts" / "lib"

needs_half_corpus = pytest.mark.skipif(not HALF_CORPUS.is_dir(), reason="../shared corpus not present")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
