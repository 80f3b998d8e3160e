"""How TEST_PLAN commands run: the options the CLI collects (kept apart
from the runner so that a --no-run validation never imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunOptions:
    timeout: float | None = None  # --timeout; else risk policy, else config
    fail_fast: bool = False
    jobs: int = 0  # 0: one per core
    rerun: bool = False  # ignore cached results
    state_dir: Path | None = None  # default <repo>/.govcheck
