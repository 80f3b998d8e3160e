"""TEST_PLAN command outcomes as the rules judge them."""

from __future__ import annotations

FAILED_STATUSES = ("failed", "timeout", "refused")
