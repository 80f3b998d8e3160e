"""The ``lineage-missing`` rule. Its docstring is its documentation: ``govcheck explain lineage-missing``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Sequence

from govcheck.analysis.era import Since
from govcheck.analysis.packet_text import field_line, packet_lines, packet_text
from govcheck.analysis.placeholders import PLACEHOLDER_RE
from govcheck.analysis.text import may_mention, safe_fragment
from govcheck.analysis.wp_ids import revision_of
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.parse.registry import (
    RegistryRow,
    active_stem,
    named_packets,
    parse_registry,
)
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


# The template's instructions under LINEAGE_AUDIT: not an audit.
_LINEAGE_TEMPLATE_RE = re.compile(
    r"^(?:required when `?wp_id`? includes|list every prior packet for|hard rule: do not drop prior requirements"
    r"|if this is not a revision packet, write)",
    re.I,
)


_EMPTY_RE = re.compile(r"^(?:n/?a|none|tbd|todo|-|\.\.\.)\.?$", re.I)


def _lineage_body(packet: Packet, lines: Sequence[str]) -> list[tuple[int, str]]:
    sec = packet.section("LINEAGE_AUDIT")
    if sec is None:
        return []
    out = []
    for n in range(sec.line + 1, min(sec.end_line, len(lines)) + 1):
        text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", lines[n - 1]).strip()
        if not text or text.startswith(("```", "~~~", "<!--")) or set(text) <= set("-=*_ "):
            continue
        if _LINEAGE_TEMPLATE_RE.match(text) or _EMPTY_RE.match(text) or PLACEHOLDER_RE.fullmatch(text):
            continue
        out.append((n, text))
    return out


def registry_entries(ctx: Context) -> dict[str, RegistryRow]:
    """Base WP id -> its row in the traceability registry (read and parsed
    once per run; {} when the repo has none or it cannot be read)."""
    return ctx.memo("traceability-registry", lambda: _registry_entries(ctx))


def _registry_entries(ctx: Context) -> dict[str, RegistryRow]:
    path = ctx.repo.traceability_path
    if path is None:
        return {}
    try:
        return parse_registry(ctx.repo.read_text(path))
    except (OSError, GovcheckError):
        return {}


def _family(ctx: Context, base: str) -> list[str]:
    return ctx.memo("packet-families", lambda: _families(ctx)).get(base, [])


def _families(ctx: Context) -> dict[str, list[str]]:
    """Base id -> every packet id of that family, sorted (once per run)."""
    out: dict[str, list[str]] = {}
    for wp_id in sorted(ctx.repo.packets):
        out.setdefault(revision_of(wp_id)[0], []).append(wp_id)
    return out


@rule(
    "lineage-missing",
    severity=ERROR,
    codex="CX-580E",
    summary="A -vN revision packet has no lineage audit, or its base id no registry entry",
    since=Since(written="2026-01-12", why=(
        "Every -vN revision packet dated 2026-01-12 or later carries a LINEAGE_AUDIT section and none dated "
        "earlier does: the lineage audit [CX-580E] came in then.")),
    process=True,
)
def lineage_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A revision packet ``WP-...-vN`` with N >= 2 has a ``LINEAGE_AUDIT``
    section holding a real audit: not empty, not ``N/A``, not just the
    template's instructions. A lineage audit recorded as a list item
    (``- [CX-580E] Variant lineage audit (ALL versions): ...``, often in a
    validation report) also counts. Superseded revisions (Status
    Superseded, or the registry names another packet of the family as
    active) are immutable history and are not asked for an audit.

    When more than one packet of the same base id exists in the repo
    (``WP-1-X``, ``WP-1-X-v2`` ...) and the repo has a traceability
    registry (``WP_TRACEABILITY_REGISTRY.md``), the base id needs a row in
    the registry's table whose Active Packet names an existing file of that
    family. This part is reported once per family, on the newest revision.

    Why
    CX-580E: a revision must prove that no requirement of the earlier
    versions was lost. CX-580D: with several packets for one base id, only
    the registry says which one is authoritative; without it the work is
    blocked.

    How to fix
    Write the lineage audit (every prior packet, what is kept and what
    changed), and add or correct the registry row:
    ``| WP-1-X | .GOV/task_packets/WP-1-X-v2.md | Ready for Dev: WP-1-X-v2 | supersedes: WP-1-X |``.

    Example
        ## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]
        - N/A
    in ``WP-1-X-v3.md`` is reported.
    """
    base, revision = revision_of(packet.id)
    if revision is not None and revision >= 2 and not _superseded(packet, ctx, base):
        sec = packet.section("LINEAGE_AUDIT")
        lines = packet_lines(packet, ctx)
        if sec is None and _mentions_audit(packet, ctx):
            pass  # recorded as a list item (often in a validation report)
        elif sec is None:
            yield hit(f"revision packet {packet.id} has no LINEAGE_AUDIT section", line=field_line(packet, "WP_ID", "TASK_ID"), data={"base": base, "problem": "missing"})
        elif not _lineage_body(packet, lines):
            yield hit(f"LINEAGE_AUDIT of revision packet {packet.id} is empty (no prior versions audited)", line=sec.line, data={"base": base, "problem": "empty"})
    family = _family(ctx, base)
    registry = ctx.repo.traceability_path
    if len(family) < 2 or registry is None or packet.id != _newest(family):
        return
    entry = registry_entries(ctx).get(base)
    if entry is None:
        yield hit(
            f"{len(family)} packets exist for base id {base} ({', '.join(family)}) but {registry} has no row for it",
            line=field_line(packet, "BASE_WP_ID", "WP_ID", "TASK_ID"),
            data={"base": base, "family": family, "registry": registry, "problem": "no-entry"},
        )
        return
    cell, row = entry.active, entry.line
    path = next((p for p in named_packets(cell) if p.endswith(".md")), None)
    stem = active_stem(cell)
    problem = None
    if not stem:
        problem = f"the registry row for {base} names no active packet"
    elif revision_of(stem)[0] != base:
        problem = f"the registry row for {base} names {stem}, which is not a packet of that base id"
    elif path is not None and "/" in path and not ctx.repo.is_file(path):
        problem = f"the registry row for {base} names {path}, which does not exist"
    elif path is None and stem not in ctx.repo.packets:
        problem = f"the registry row for {base} names {stem}, which is not a packet in the repo"
    if problem:
        yield hit(problem, path=registry, line=row, data={"base": base, "active": cell, "problem": "bad-entry"})


_AUDIT_LINE_RE = re.compile(r"lineage[ _-]audit", re.I)


_AUDIT_FRAGMENT = safe_fragment("neage")  # of "lineage": no i or s (see analysis/text.py)


def _mentions_audit(packet: Packet, ctx: Context) -> bool:
    """Some line says "lineage audit". The pattern cannot cross a line
    break, so one search over the text answers for every line; a text
    without the fragment cannot match and skips the regex."""
    text = packet_text(packet, ctx)
    return may_mention(text, _AUDIT_FRAGMENT) and _AUDIT_LINE_RE.search(text) is not None


def _superseded(packet: Packet, ctx: Context, base: str) -> bool:
    """Superseded packets are immutable history: their status says so, or
    the registry names another packet of the family as active."""
    if packet.status_norm == "superseded":
        return True
    entry = registry_entries(ctx).get(base)
    if entry is None:
        return False
    active = active_stem(entry.active)
    return bool(active) and revision_of(active)[0] == base and active != packet.id


def _newest(family: Sequence[str]) -> str:
    return max(family, key=lambda i: (revision_of(i)[1] or 0, i))
