"""A bold label alone on its line heads the blocks below it, in profiles
that read labels so (generic); the reference's packets read as before."""

from __future__ import annotations

from govcheck.parse.packet import parse_packet
from govcheck.repo.profiles import build_profile

GENERIC = build_profile("generic", {"fields": {"status": ["State"], "done_means": ["Definition of done"],
                                               "test_plan": ["Verification"]}})

LABELS = b"""# CHG-001 Loan periods

**State:** Shipped
**Definition of done:**
- Films are lent for 7 days.
- Books are lent for 21 days.

**Verification:**

    python -m pytest -q tests/test_loans.py

**Notes:** none
"""


def test_a_bold_label_alone_on_its_line_heads_the_blocks_below_it():
    packet = parse_packet(LABELS, packet_id="CHG-001", path="CHG-001.md", profile=GENERIC)
    assert [i.text for i in packet.done_means.items] == ["Films are lent for 7 days.", "Books are lent for 21 days."]
    assert [c.text for c in packet.test_plan.commands] == ["python -m pytest -q tests/test_loans.py"]


def test_a_bold_label_with_a_value_keeps_no_body_and_the_reference_profile_reads_labels_as_before():
    packet = parse_packet(LABELS, packet_id="CHG-001", path="CHG-001.md", profile=GENERIC)
    assert packet.status.value == "Shipped"
    assert packet.field("NOTES").items == ()
    handshake = build_profile("handshake")
    assert not handshake.label_bodies
    old = parse_packet(LABELS.replace(b"Definition of done", b"DONE_MEANS").replace(b"Verification", b"TEST_PLAN"),
                       packet_id="CHG-001", path="CHG-001.md", profile=handshake)
    assert old.done_means is not None and old.done_means.items == ()
