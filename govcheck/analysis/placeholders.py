"""Template placeholders: the values a packet copied from the template still
holds until someone fills them (``{{...}}``, ``<fill>``, ``tbd`` ...)."""

from __future__ import annotations

import re

# Placeholders the reference project's completeness check rejects, plus the
# ones its template ships with.
PLACEHOLDER_RE = re.compile(
    r"\{\{[^}]*\}\}|<fill[^>]*>|<pending>|<unclaimed>|<tbd>|^\s*tbd\.?\s*$|^\s*todo\.?\s*$|\bLOW \| MEDIUM \| HIGH\b|\bYES \| NO\b",
    re.I,
)


def may_hold_placeholder(text: str) -> bool:
    """False only when PLACEHOLDER_RE cannot match ``text``: every one of
    its alternatives needs "{{", "<" or "|", except the whole-value ``tbd``
    and ``todo``, which leave at most five characters once the whitespace
    around them is stripped (``\\s`` and str.strip() agree on whitespace).
    Most field values hold none of these, and the test costs a fraction of
    the regex search."""
    return "{{" in text or "<" in text or "|" in text or len(text.strip()) <= 5
