"""How govcheck reads generated projections (packet.md written from a
contract): fences opened in list items with unindented bodies, metadata
bullets beside DONE_MEANS criteria, template notes in WAIVERS GRANTED.
Texts are our own; each case was a false finding on real projections."""

from __future__ import annotations

from markdown_it import MarkdownIt

from govcheck.parse.packet import _indent_list_fence_bodies, parse_packet

LIST_FENCE = """# Task Packet: WP-7-Pantry-v1

## SPEC_CONTEXT_WINDOWS
- EXCERPT:
  ```text
Shelf labels are printed once a week.
  - A label names the shelf and the date.
  ```

## QUALITY_GATE
### TEST_PLAN
```bash
python -m pytest tests/test_labels.py
```

### DONE_MEANS
- Labels print with the shelf name and the date.
- PRIMITIVES_EXPOSED:
  - PRIM-ShelfLabel
  - PRIM-LabelDate

## WAIVERS GRANTED
- (Record waivers here. Include Waiver ID, Date, Scope, and Justification.)
- (Format: `- WAIVER_ID: CX-... | DATE: <date> | JUSTIFICATION: <why>`.)
- CX-573F | 2026-03-07 | Scope: the label printer stub | Justification: the printer arrives next sprint, owner agreed.
"""


def _parse(text: str):
    return parse_packet(text.encode(), packet_id="WP-7-Pantry-v1", path="packet.md")


def test_commonmark_alone_lets_the_closing_marker_swallow_the_sections():
    """The reason for the rule below: read by CommonMark, the list item
    ends at the unindented body line and the closing marker opens a fence
    that runs over TEST_PLAN and DONE_MEANS."""
    tokens = MarkdownIt("commonmark").parse(LIST_FENCE)
    swallowing = [t for t in tokens if t.type == "fence" and "### TEST_PLAN" in t.content]
    assert swallowing


def test_a_list_fence_closed_at_its_own_indentation_ends_there():
    packet = _parse(LIST_FENCE)
    assert not [i for i in packet.parse_issues if "never closed" in i.detail]
    assert packet.test_plan is not None and [c.text for c in packet.test_plan.commands] == [
        "python -m pytest tests/test_labels.py"]
    tokens = MarkdownIt("commonmark").parse(_indent_list_fence_bodies(LIST_FENCE))
    excerpt = next(t for t in tokens if t.type == "fence" and t.info == "text")
    assert excerpt.content == "Shelf labels are printed once a week.\n- A label names the shelf and the date.\n"
    assert excerpt.map == [4, 8]  # lines 5-8: the opener to the closer, line numbers unchanged


def test_a_list_fence_without_its_closer_is_left_to_commonmark():
    text = LIST_FENCE.replace("  ```\n\n## QUALITY_GATE", "\n## QUALITY_GATE")
    assert _indent_list_fence_bodies(text) == text


def test_metadata_bullets_beside_done_means_criteria_are_not_criteria():
    packet = _parse(LIST_FENCE)
    assert [i.text for i in packet.done_means.items] == ["Labels print with the shelf name and the date."]


def test_template_notes_in_waivers_granted_are_not_waivers():
    packet = _parse(LIST_FENCE)
    assert [(w.waiver_id, w.date) for w in packet.waivers] == [("CX-573F", "2026-03-07")]


def test_waiver_facts_written_as_name_equals_value_pairs():
    text = LIST_FENCE.replace(
        "- CX-573F | 2026-03-07 | Scope: the label printer stub | Justification: the printer arrives next sprint, owner agreed.",
        "- WAIVER_ARTIFACT: Waiver ID=W-PRINT-01; Date=2026-03-07; Scope=the label printer stub; "
        "Justification=the printer arrives next sprint, owner agreed")
    packet = _parse(text)
    assert [(w.waiver_id, w.date, w.justification) for w in packet.waivers] == [
        ("W-PRINT-01", "2026-03-07", "the printer arrives next sprint, owner agreed")]
