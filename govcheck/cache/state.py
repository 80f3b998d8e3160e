"""govcheck's state folder: where command logs and every cache live.

One definition of the layout, so nothing else spells ``.govcheck`` or
builds a cache path by hand:

    <state>/logs/<packet>/...   command logs (run/runner)
    <state>/cache/parse/        parsed packets and spec indexes (cache/parse)
    <state>/cache/results/      per-packet check results (cache/results)
    <state>/cache/runs/         TEST_PLAN command results (cache/runs)
    <state>/cache/spec-history/ spec versions in git history (repo/spec_history)

By default the folder is ``<repo>/.govcheck`` (it git-ignores itself);
``--state-dir`` moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATE_DIR_NAME = ".govcheck"


@dataclass(frozen=True)
class StateDir:
    root: Path

    @classmethod
    def for_repo(cls, repo_root: Path, override: Path | str | None = None) -> "StateDir":
        return cls(Path(override).resolve() if override else Path(repo_root) / STATE_DIR_NAME)

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def parse_cache(self) -> Path:
        return self.root / "cache" / "parse"

    @property
    def results_cache(self) -> Path:
        return self.root / "cache" / "results"

    @property
    def runs_cache(self) -> Path:
        return self.root / "cache" / "runs"

    @property
    def spec_history_cache(self) -> Path:
        return self.root / "cache" / "spec-history"

    def ignore_in_git(self) -> None:
        """The folder keeps itself out of git (a ``.gitignore`` of ``*``)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
        except OSError:
            pass  # an unwritable state folder only costs the caches
