"""The ``risk-map-hit`` rule. Its docstring is its documentation: ``govcheck explain risk-map-hit``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.scope_scan import DEFAULT_MAX_HITS, capped, max_hits, scan
from govcheck.model import Finding, Packet
from govcheck.rules import INFO, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


_BACKTICK_RE = re.compile(r"`([^`\n]+)`")


def risk_patterns(packet: Packet) -> list[tuple[str, str, int]]:
    """``(pattern, risk text, line)`` for each backticked pattern in the
    packet's RISK_MAP (its value and its list items)."""
    history = [(r.line, r.end_line) for r in packet.validation_reports]
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for f in packet.fields_named("RISK_MAP"):
        if any(a <= f.line <= b for a, b in history):
            continue
        for text, line in ((f.value, f.line), *((it.text, it.line) for it in f.items)):
            for m in _BACKTICK_RE.finditer(text):
                pattern = m.group(1)
                if len(pattern.strip()) < 2 or pattern in seen:
                    continue
                seen.add(pattern)
                out.append((pattern, text.strip(), line))
    return out


@rule(
    "risk-map-hit",
    severity=INFO,
    summary="A pattern the packet's RISK_MAP names occurs in its in-scope code",
    options={
        "enabled": {
            "type": "boolean",
            "default": True,
            "description": "Search the RISK_MAP patterns (on by default; the hits are info notes for the validator, never failures).",
        },
        "max_hits": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_HITS,
            "description": "Report at most this many hits per packet, then one summary finding.",
        },
    },
)
def risk_map_hit(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each backticked pattern in the packet's RISK_MAP (for example
    ``- SQL portability -> review migrations for `?1`, `strftime`, `CREATE
    TRIGGER`.``) is searched for literally (case-sensitive) in the files
    under IN_SCOPE_PATHS, like ``forbidden-pattern`` does. Every hit is an
    info finding located at the hit, with ``data: {file, line, pattern,
    text, risk}``; after ``max_hits`` (default 100) one summary finding.
    The hits are info findings: they never fail a packet. Turn the rule
    off with ``severity: off`` (or ``enabled: false``).

    Why
    The RISK_MAP is the orchestrator's list of what can go wrong; its
    backticked terms are what the validator should look at. Listing where
    they occur turns the map into a review checklist. Hits are not errors:
    the validator judges each.

    How to fix
    Nothing to fix: review each location. To silence it:
        rules:
          risk-map-hit: {severity: "off"}

    Example
        - RISK_MAP:
          - Lease never expires -> check `visibility_timeout`
    lists ``src/jobs/queue.py:7`` and every other line using it.
    """
    options = ctx.options("risk-map-hit")
    if not options.get("enabled", True):
        return
    patterns = risk_patterns(packet)
    if not patterns:
        return
    risks = {p: risk for p, risk, _ in patterns}
    matchers = [(p, (lambda text, p=p: p in text)) for p, _, _ in patterns]

    def hits() -> Iterator[Finding]:
        for rel, n, text, pattern in scan(packet, ctx, matchers):
            yield hit(
                f"RISK_MAP pattern `{pattern}` in {rel}:{n}: {text.strip()[:160]}",
                path=rel,
                line=n,
                data={"file": rel, "line": n, "pattern": pattern, "text": text.strip()[:400], "risk": risks[pattern][:200]},
            )

    yield from capped(packet, hits(), max_hits(options), "RISK_MAP", hit)
