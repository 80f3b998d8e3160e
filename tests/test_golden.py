"""Golden report: the Markdown report of the storage-foundation fixture,
byte for byte. A change here is a change users see: review the diff, then
regenerate with

    SOURCE_DATE_EPOCH=1767225600 govcheck validate --all --repo fixtures/storage-foundation \\
        --no-run --no-cache > tests/golden/storage-foundation-all.md
"""

from __future__ import annotations

from conftest import ROOT, STORAGE, run_cli


def test_markdown_report_matches_golden(tmp_path):
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--no-cache",
                  "--state-dir", tmp_path / "state", env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert res.exit_code == 0  # one PASS, one OUTDATED: OUTDATED does not fail the gate by default
    golden = (ROOT / "tests/golden/storage-foundation-all.md").read_text(encoding="utf-8")
    assert res.stdout == golden
