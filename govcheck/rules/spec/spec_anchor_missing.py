"""The ``spec-anchor-missing`` rule. Its docstring is its documentation: ``govcheck explain spec-anchor-missing``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.anchoring import anchored_version
from govcheck.analysis.spec_anchors import anchor_context, heading_in_code, section_exists, tag_locations
from govcheck.model import Finding, Packet
from govcheck.parse.spec import section_finder
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "spec-anchor-missing",
    severity=ERROR,
    codex="CX-573B",
    summary="An anchored section number does not exist in the current spec",
)
def spec_anchor_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every section the packet is anchored to (SPEC_ANCHOR lists and ranges
    such as ``2.3.10.6-2.3.10.8``; for older packets the ``§`` numbers beside
    the spec pointer) must exist in the spec SPEC_CURRENT names, as a
    numbered heading, a numbered list item under one, or a part whose
    numbered subsections exist (``14.3`` when the spec has ``14.3.1``).

    For a packet anchored to an older version, the section is also looked
    up in that version's text (the working tree or git history): one that
    existed there moved or vanished with the spec (drift, which makes a
    closed packet OUTDATED rather than FAIL); one that did not exist there
    either was never a real anchor. ``data.in_packet_version`` says which
    (``null`` when the old text is not available).

    A heading the spec writes inside fenced code (an embedded template, or
    below a code fence the spec leaves open) is no section to any Markdown
    reader (CommonMark, markdown-it-py): it is reported, and the message
    says the spec writes it in code, so the spec's fence can be fixed. A
    spec bundle's modules are read one by one, as a reader renders them: a
    fence one module leaves open ends with that module.

    Why
    A section that is gone was renumbered, merged or dropped: the packet's
    requirements no longer point at normative text.

    How to fix
    Find where the requirement lives now (``govcheck spec diff OLD NEW``) and
    update SPEC_ANCHOR.

    Example
        - SPEC_ANCHOR: Handshake_Master_Spec_v02.123.md 7.6.3.99
    when v02.123 has no section 7.6.3.99.
    """
    index, data = ctx.current_spec_index, ctx.current_spec_bytes
    anchoring = anchored_version(packet)
    old_version = None
    if anchoring is not None and compare_versions(anchoring.version, ctx.spec_current.version) < 0:
        old_version = anchoring.version
    old_text: list = []  # the packet's version's text, read when an anchor is missing (most packets: never)

    def old_spec():
        if not old_text:
            old = ctx.spec_store.get(old_version)
            # the look-ups spec-stale made into this text, if any
            old_text.append((old, section_finder(old.data) if old is not None else None))
        return old_text[0]

    for anchor in packet.anchors:
        ids = [anchor.section] + ([anchor.range_end] if anchor.range_end else [])
        missing = [i for i in ids if not section_exists(index, data, i)]
        if missing:
            what = f"{anchor.section}-{anchor.range_end}" if anchor.range_end else anchor.section
            moved = tag_locations(anchor_context(packet, anchor, ctx), index)
            where = f"; its tag now heads {', '.join(moved)}" if moved else ""
            in_packet_version = None
            coded = [i for i in missing if heading_in_code(data, i)]
            if coded:
                where += (f"; the spec writes {', '.join(coded)} as a heading inside fenced code, which no reader "
                          "shows as a section (an embedded template, or a code fence the spec leaves open above it)")
            if old_version is not None:
                old, old_index = old_spec()
                if old_index is None:
                    where += f"; whether it existed in v{old_version} (the packet's version) is unknown: that text is not available"
                else:
                    in_packet_version = all(section_exists(old_index, old.data, i) for i in missing)
                    where += (f"; it existed in v{old_version} (the packet's version): it moved or vanished with the spec"
                              if in_packet_version else f"; it did not exist in v{old_version} (the packet's version) either")
            yield hit(
                f"anchored section {', '.join(missing)} (from {what}) does not exist in {ctx.spec_current.spec_file} (v{ctx.spec_current.version}){where}",
                line=anchor.line,
                data={"sections": missing, "anchor": what, "spec_version": ctx.spec_current.version,
                      "tag_now_at": moved, "packet_version": old_version, "in_packet_version": in_packet_version},
            )
