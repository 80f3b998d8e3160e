"""Packet ids: the ``-vN`` revision suffix and the base id it revises."""

from __future__ import annotations

import re

REVISION_RE = re.compile(r"-v([1-9]\d*)$")


def revision_of(wp_id: str) -> tuple[str, int | None]:
    """``WP-1-X-v3`` -> ``("WP-1-X", 3)``; ``WP-1-X`` -> ``("WP-1-X", None)``."""
    m = REVISION_RE.search(wp_id)
    if m:
        return wp_id[: m.start()], int(m.group(1))
    return wp_id, None
