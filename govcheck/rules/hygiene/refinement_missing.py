"""The ``refinement-missing`` rule. Its docstring is its documentation: ``govcheck explain refinement-missing``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.packet_text import (
    in_reports,
    packet_lines,
    packet_text,
    report_ranges,
)
from govcheck.analysis.text import lines_containing
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


_REFINEMENT_PATH_RE = re.compile(r"[\w./{}-]*refinements/[\w.{}-]+\.md")


def _refinement_exists(ctx: Context, path: str) -> bool:
    path = path.strip().strip("`'\"").replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    if ctx.repo.is_file(path):
        return True
    # A refinement moved with the governance folder (docs/ -> .GOV/) is
    # still the same refinement: look for its name in the refinement folders.
    name = path.rsplit("/", 1)[-1]
    if any(ctx.repo.is_file(f"{d}/{name}") for d in ctx.repo.refinement_dirs):
        return True
    # Contract era: the refinement of WP-X moved into WP-X's packet folder
    # as refinement.json (its contract) and refinement.md (its projection).
    loc = ctx.repo.packets.get(name[:-3]) if name.endswith(".md") else None
    folder = getattr(loc, "folder", None)
    return folder is not None and any(ctx.repo.is_file(f"{folder}/{f}") for f in ("refinement.json", "refinement.md"))


@rule(
    "refinement-missing",
    severity=ERROR,
    summary="The refinement file the packet names does not exist",
    process=True,
)
def refinement_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The refinement file named by ``REFINEMENT_FILE``, or any path of the
    form ``.../refinements/NAME.md`` written in the packet outside earlier
    validation reports, exists in the repo. A file of the same name in a
    refinement folder (``.GOV/refinements``, ``docs/refinements``) counts,
    so a refinement moved with the governance folder is found, and so does
    ``refinement.json`` / ``refinement.md`` in the packet folder of the WP
    the file is named for (where contract-era refinements live). Template
    placeholders (``.GOV/refinements/{{WP_ID}}.md``) are not paths and are
    skipped (``placeholder-left`` reports them).

    Why
    The pre-work gate (CX-620) requires the technical refinement the
    packet was signed against; a packet pointing at a missing refinement
    cannot show that its USER_SIGNATURE approved anything.

    How to fix
    Commit the refinement file, or correct the path in the packet.

    Example
        - REFINEMENT_FILE: .GOV/refinements/WP-1-Foo-v2.md   (no such file)
    """
    history = report_ranges(packet)
    seen: set[str] = set()
    candidates: list[tuple[str, int]] = []
    for f in packet.fields_named("REFINEMENT_FILE"):
        if not in_reports(f.line, history) and f.value:
            m = _REFINEMENT_PATH_RE.search(f.value)
            candidates.append(((m.group(0) if m else f.value.split()[0]), f.line))
    lines = packet_lines(packet, ctx)
    for n in lines_containing(packet_text(packet, ctx), "refinements/"):
        if in_reports(n, history):
            continue
        for m in _REFINEMENT_PATH_RE.finditer(lines[n - 1]):
            candidates.append((m.group(0), n))
    for path, line in candidates:
        path = path.strip().strip("`'\"")
        if not path or path in seen or "{" in path or "<" in path:
            continue
        seen.add(path)
        if not _refinement_exists(ctx, path):
            yield hit(f"refinement file {path} does not exist", line=line, data={"refinement": path})
