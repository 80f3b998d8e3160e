"""The ``spec-anchor-moved`` rule. Its docstring is its documentation: ``govcheck explain spec-anchor-moved``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.spec_anchors import (
    TAG_RE,
    anchor_context,
    list_item,
    section_words,
    stems,
    tag_locations,
    title_hint,
)
from govcheck.model import Finding, Packet
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "spec-anchor-moved",
    severity=WARNING,
    codex="CX-573B",
    summary="An anchored number now holds different content (renumbered spec)",
)
def spec_anchor_moved(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Section numbers get reused between spec versions (``2.3.12`` was storage
    portability, later Taste Engine). When the packet says what it means
    next to the number (a codex tag such as ``[CX-DBP-040]``, or a title
    such as ``§2.3.12 storage portability``), the section of that number in
    the current spec must still carry the tag, or share a word with the
    title. When the tag now heads another section, the finding names it.

    Why
    An anchor whose number still exists passes a naive existence check
    while pointing at unrelated text: the most misleading kind of stale.

    How to fix
    Re-anchor to the section that holds the requirement now (the finding
    names it when the tag moved), after reading what changed.

    Example
    ``SPEC_ANCHOR: §2.3.12.3 [CX-DBP-040]`` while v02.123's 2.3.12 is
    "Taste Engine & Personalisation" and the portability rules moved to
    2.3.13.
    """
    index, data = ctx.current_spec_index, ctx.current_spec_bytes
    for anchor in packet.anchors:
        if anchor.range_end:
            continue
        section = index.lookup(anchor.section)
        item = None if section is not None else list_item(index, data, anchor.section)
        if section is None and item is None:
            continue  # spec-anchor-missing reports it
        here = section.title if section is not None else item[1]
        context = anchor_context(packet, anchor, ctx)
        tags = TAG_RE.findall(context)
        if tags:
            heading_text = (index.text(data, anchor.section) or b"")[:400].decode("utf-8", "replace") if section else here
            if not any(t in heading_text for t in tags):
                moved = tag_locations(context, index)
                where = f"; {', '.join(tags)} now heads {', '.join(moved)}" if moved else ""
                yield hit(
                    f"anchored {anchor.section} is now '{here[:60]}' and no longer carries {', '.join(tags)}{where}",
                    line=anchor.line,
                    data={"section": anchor.section, "title": here, "tags": tags, "tag_now_at": moved},
                )
            continue
        hint = title_hint(context)
        words = stems(hint)
        if len(words) < 2:
            continue
        # The title, or the section's opening text, must share a word stem
        # with what the packet calls it.
        body, body_stems = section_words(index, data, anchor.section, here, section is not None)
        if hint.lower() in body or words & body_stems:
            continue
        twin = next((d for d in index.duplicates if d.id == anchor.section and words & stems(d.title)), None)
        if twin is not None:
            yield hit(
                f"anchored {anchor.section} occurs more than once in the spec; the first is '{here[:50]}', "
                f"the packet means '{twin.title[:50]}' (line {twin.line}): the anchor is ambiguous",
                line=anchor.line,
                data={"section": anchor.section, "title": here, "packet_says": hint, "duplicate_line": twin.line},
            )
            continue
        yield hit(
            f"anchored {anchor.section} is now titled '{here[:60]}' while the packet describes it as "
            f"'{hint[:60]}': the number may have been reused",
            line=anchor.line,
            data={"section": anchor.section, "title": here, "packet_says": hint},
        )
