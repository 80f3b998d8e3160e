"""``lineage-missing``: A -vN revision needs a lineage audit.

Cases as a table of packet_text, wp_id -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOOD_GEN2, PACKET_DIR, write_packet

from rules.harness import (
    DATA,
    GOOD,
    WP,
    WP_ID,
    assert_findings,
    assert_waived,
    check_rule,
    line_of,
    rule_findings,
    variant,
    with_waiver,
)

RULE = "lineage-missing"
WITH_AUDIT = GOOD.replace(
    "## BOOTSTRAP", "## LINEAGE_AUDIT\n- WP-1-Lease-Timer: first version; every criterion kept.\n\n## BOOTSTRAP"
)


@pytest.mark.parametrize(
    "packet_text, wp_id, expected",
    [
        pytest.param(GOOD, WP_ID, [], id="first-version"),
        pytest.param(WITH_AUDIT, "WP-1-Lease-Timer-v2", [], id="revision-with-audit"),
        pytest.param(
            GOOD,
            "WP-1-Lease-Timer-v2",
            ["revision packet WP-1-Lease-Timer-v2 has no LINEAGE_AUDIT section"],
            id="revision-without-audit",
        ),
        pytest.param(
            GOOD.replace("## BOOTSTRAP", "## LINEAGE_AUDIT\n- N/A\n\n## BOOTSTRAP"),
            "WP-1-Lease-Timer-v2",
            ["is empty"],
            id="audit-says-nothing",
        ),
    ],
)
def test_lineage_missing(packet_text, wp_id, expected):
    assert_findings(check_rule(RULE, packet_text, wp_id=wp_id), expected)


def test_waiver_marks_every_finding():
    broken = GOOD
    assert check_rule(RULE, broken, wp_id="WP-1-Lease-Timer-v2")
    assert_waived(check_rule(RULE, with_waiver(broken, RULE), wp_id="WP-1-Lease-Timer-v2"))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_lineage_missing_section(storage_repo):
    text = GOOD_GEN2.replace(
        "## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]\n- WP-1-Job-Queue: first version, popped jobs instead of leasing them; replaced by this packet.\n\n",
        "",
    )
    assert text != GOOD_GEN2
    write_packet(storage_repo, WP, text)
    got = rule_findings(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(5, "missing")]


@pytest.mark.parametrize("body", ["- N/A", "- Required when `WP_ID` includes `-v{N}`.\n- If this is not a revision packet, write: `N/A`.", ""])
def test_lineage_empty_section(storage_repo, body):
    text = variant(storage_repo, "- WP-1-Job-Queue: first version, popped jobs instead of leasing them; replaced by this packet.", body)
    got = rule_findings(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(line_of(text, "## LINEAGE_AUDIT"), "empty")]


def test_lineage_not_asked_of_v1_or_superseded(storage_repo):
    v1 = GOOD_GEN2.replace(WP, "WP-1-Job-Queue-v1").replace("## LINEAGE_AUDIT", "## NOTES")
    write_packet(storage_repo, "WP-1-Job-Queue-v1", v1)
    assert rule_findings(storage_repo, "lineage-missing", "WP-1-Job-Queue-v1") == []
    write_packet(storage_repo, WP, GOOD_GEN2.replace("**Status:** Done", "**Status:** Superseded").replace("## LINEAGE_AUDIT", "## NOTES"))
    assert rule_findings(storage_repo, "lineage-missing") == []


def _two_versions(repo) -> None:
    write_packet(repo, "WP-1-Job-Queue", GOOD_GEN2.replace(WP, "WP-1-Job-Queue"))


def _registry(repo, active_cell: str) -> tuple[Path, int]:
    text = (DATA / "WP_TRACEABILITY_REGISTRY.md").read_text(encoding="utf-8").replace("ACTIVE_CELL", active_cell)
    path = repo / ".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md"
    path.write_text(text, encoding="utf-8")
    return path, line_of(text, "| WP-1-Job-Queue |")


def test_lineage_registry_not_needed_for_a_single_version_or_without_registry(storage_repo):
    assert rule_findings(storage_repo, "lineage-missing") == []  # one version, no registry
    _two_versions(storage_repo)
    assert rule_findings(storage_repo, "lineage-missing") == []  # two versions, still no registry


def test_lineage_registry_entry_passes(storage_repo):
    _two_versions(storage_repo)
    _registry(storage_repo, f"{PACKET_DIR}/{WP}.md")
    assert rule_findings(storage_repo, "lineage-missing") == []


def test_lineage_registry_without_row_for_base(storage_repo):
    _two_versions(storage_repo)
    path, _ = _registry(storage_repo, "x")
    path.write_text("\n".join(l for l in path.read_text().split("\n") if "WP-1-Job-Queue" not in l), encoding="utf-8")
    got = rule_findings(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(6, "no-entry")]  # the BASE_WP_ID line
    # reported once per family, on the newest revision
    assert rule_findings(storage_repo, "lineage-missing", "WP-1-Job-Queue") == []


def test_lineage_registry_row_names_missing_file(storage_repo):
    _two_versions(storage_repo)
    _, row = _registry(storage_repo, f"{PACKET_DIR}/WP-1-Job-Queue-v3.md")
    got = rule_findings(storage_repo, "lineage-missing")
    assert [(f["path"], f["line"], f["data"]["problem"]) for f in got] == [
        (".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md", row, "bad-entry")
    ]
    assert "does not exist" in got[0]["message"]
