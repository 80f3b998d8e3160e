"""The traceability registry (``WP_TRACEABILITY_REGISTRY.md``): its table
rows as frozen values. Reading the file is the caller's (through Repo)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROW_RE = re.compile(r"^\s*\|(.+)\|\s*$")
_NAMED_RE = re.compile(r"[\w./-]*WP-[\w.-]+?\.md|WP-[\w.-]+")


@dataclass(frozen=True)
class RegistryRow:
    """One row of the registry table: ``| Base WP ID | Active Packet | ... |``."""

    base: str  # the base WP id (first cell)
    active: str  # the Active Packet cell, as written
    line: int


def parse_registry(text: str) -> dict[str, RegistryRow]:
    """Base WP id -> its row (the first row naming it wins). Rows whose
    first cell is not a WP id (the header, separators) are skipped."""
    out: dict[str, RegistryRow] = {}
    for n, line in enumerate(text.split("\n"), 1):
        m = _ROW_RE.match(line)
        if not m:
            continue
        cells = [c.strip().strip("`*").strip() for c in m.group(1).split("|")]
        if len(cells) < 2 or not cells[0].startswith("WP-"):
            continue
        out.setdefault(cells[0], RegistryRow(cells[0], cells[1], n))
    return out


def named_packets(cell: str) -> list[str]:
    """Packet paths (``....md``) and ids a registry cell names, in order."""
    return _NAMED_RE.findall(cell)


def active_stem(cell: str) -> str:
    """The packet id an Active Packet cell names: the stem of the first
    ``.md`` path in it, else its first WP id; "" when it names none."""
    named = named_packets(cell)
    path = next((p for p in named if p.endswith(".md")), None)
    return (path or (named[0] if named else "")).rsplit("/", 1)[-1].removesuffix(".md")
