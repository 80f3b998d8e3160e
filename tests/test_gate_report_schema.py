"""The JSON report is valid against its own schema for every way a packet
can name its spec (issue 14, item 9)."""

from __future__ import annotations

import jsonschema
from conftest import GOOD_GEN2, validate_json, write_packet

from govcheck.util.schemas import load_schema


def test_packet_anchored_only_by_spec_target_gives_a_schema_valid_report(storage_repo) -> None:
    # Every other spec pointer removed: SPEC_TARGET naming a spec file is
    # the packet's only statement of its version (spec_basis kind "target").
    lines = [ln for ln in GOOD_GEN2.splitlines(True)
             if not ln.lstrip("- ").startswith(("SPEC_BASELINE", "SPEC_ANCHOR", "SPEC_TARGET"))]
    text = "".join(lines).replace("## METADATA\n", "## METADATA\n- SPEC_TARGET: Handshake_Master_Spec_v02.93.md\n", 1)
    assert "SPEC_TARGET: Handshake_Master_Spec_v02.93.md" in text
    write_packet(storage_repo, "WP-1-Target-Only", text)

    _code, report = validate_json(storage_repo, "WP-1-Target-Only")

    assert report["packets"][0]["spec_basis"]["kind"] == "target"
    jsonschema.validate(report, load_schema("report"))
