"""Rules in force by era: a rule applies only to packets written after it
came in, unless config forces it (rules.<id>.all_eras)."""

from __future__ import annotations

from govcheck.analysis.era import ALWAYS, Since
from govcheck.model import Packet


def _packet(generation="gen1", written=None, format_version=None) -> Packet:
    return Packet(id="WP-1-X", path="x.md", sha256="", generation=generation, written_on=written,
                  format_version_date=format_version)


def test_always_applies_to_every_packet():
    assert ALWAYS.applies_to(_packet()) and ALWAYS.describe() == "every packet"


def test_format_version_gate_keeps_older_templates_out():
    since = Since(format_version="2026-02-01")
    assert not since.applies_to(_packet())
    assert not since.applies_to(_packet(format_version="2026-01-15"))
    assert since.applies_to(_packet(format_version="2026-02-01"))
    assert since.applies_to(_packet(generation="gen3"))  # contract packets postdate every template
    # ... unless imported from an older packet whose dates they keep
    assert not since.applies_to(_packet(generation="gen3", written="2025-12-26"))


def test_written_gate_uses_the_date_then_the_format_version_date():
    since = Since(written="2026-01-16")
    assert not since.applies_to(_packet(written="2026-01-06"))
    assert since.applies_to(_packet(written="2026-01-16"))
    assert since.applies_to(_packet(format_version="2026-02-01"))  # no DATE: the template's date
    assert not since.applies_to(_packet())  # undated, no format version: older


def test_packet_dates_are_read_from_date_and_format_version_fields():
    from govcheck.parse.packet import parse_packet

    text = b"# Task Packet: WP-1-X\n\n- DATE: 2026-01-16T22:18:03.313Z\n- PACKET_FORMAT_VERSION: 2026-02-01\n"
    packet = parse_packet(text, packet_id="WP-1-X", path="x.md")
    assert (packet.written_on, packet.format_version_date) == ("2026-01-16", "2026-02-01")
    bare = parse_packet(b"# Task Packet: WP-1-X\n\n- DATE: soon\n", packet_id="WP-1-X", path="x.md")
    assert (bare.written_on, bare.format_version_date) == (None, None)


def test_every_rule_states_its_era_and_rules_json_shows_it():
    """Each rule carries its start (every packet, or a template / a date,
    with the evidence for it), and `govcheck rules --format json` shows it."""
    import json

    from conftest import run_cli

    from govcheck.rules import all_rules

    for spec in all_rules().values():
        assert isinstance(spec.since, Since)
        if not spec.since.always:
            assert spec.since.why, f"{spec.id}: a start without its reason"
    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {r["id"] for r in listed} == set(all_rules())
    assert all(r["since"]["applies_to"] for r in listed)
    gated = {r["id"] for r in listed if r["since"]["format_version"] or r["since"]["written"]}
    assert {"phase-order", "lineage-missing", "done-means-unevidenced", "non-ascii"} <= gated
