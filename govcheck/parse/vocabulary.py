"""The packet's lifecycle facts, parsed once: status and risk tier.

Every rule, the verdict and the runner read these from the model
(``Packet.status_norm``, ``Packet.status_class``, ``Packet.risk``); nothing
else parses a status or a tier again, so they cannot disagree about what
``RISK_TIER: LOW; docs only`` or ``Done [VALIDATED]`` means.
"""

from __future__ import annotations

import functools
import re

# Canonical statuses (compared case-insensitively, "-" and "_" as spaces,
# with a bracketed or parenthesised suffix such as "[VALIDATED]" allowed).
STATUS_VOCABULARY = (
    "ready for dev",
    "in progress",
    "done",
    "done (historical)",
    "validated",
    "blocked",
    "stub",
    "superseded",
)
RISK_TIERS = ("LOW", "MEDIUM", "HIGH")

# What a canonical status means for the verdict and the process rules.
STATUS_CLASS = {
    "ready for dev": "ready",
    "in progress": "active",
    "done": "done",
    "done (historical)": "done",
    "validated": "done",
    "blocked": "blocked",
    "stub": "stub",
    "superseded": "superseded",
}
UNKNOWN = "unknown"

_TIER_SPLIT_RE = re.compile(r"[\s(\-\u2014:;,]")


@functools.lru_cache(maxsize=1024)  # a pure function of the value; asked for every packet and board line
def normalize_status(value: str) -> str:
    """``"Done [VALIDATED]"`` -> ``"done"``; ``"Ready-for-Dev"`` -> ``"ready for dev"``.

    Keeps ``"done (historical)"`` whole (it is its own status); drops any
    other bracketed suffix, emoji or mojibake decoration.
    """
    v = value.strip().strip("*").strip()
    v = re.sub(r"[-_]+", " ", v)
    low = v.lower()
    if low.startswith("done (historical"):  # also "Done (historical spec-enrichment capture)"
        return "done (historical)"
    low = re.split(r"[\[(:;,.]| - | \u2014 ", low, maxsplit=1)[0]
    low = re.sub(r"[^a-z ]+", " ", low)
    return " ".join(low.split())


def status_class(normalized: str) -> str:
    """ready | active | done | blocked | stub | superseded | unknown."""
    return STATUS_CLASS.get(normalized, UNKNOWN)


def risk_tier_word(value: str) -> str:
    """The first word of a RISK_TIER value, upper-cased: ``"LOW; docs only"``
    -> ``"LOW"``, ``"**HIGH** (touches auth)"`` -> ``"HIGH"``."""
    return _TIER_SPLIT_RE.split(value.strip().strip("*").upper(), maxsplit=1)[0]


def parse_risk_tier(value: str | None) -> str | None:
    """LOW, MEDIUM or HIGH when the value names one, else None."""
    if not value:
        return None
    tier = risk_tier_word(value)
    return tier if tier in RISK_TIERS else None
