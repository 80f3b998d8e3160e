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

The repository is the pull request under test, so the folder may come
with it: a committed ``.govcheck`` link would send logs and caches (and
reads of planted entries) anywhere the link points, even with
``--no-run``. A state folder that is a link, or that lies in the repo
below a link leading out of it, is refused (exit 2, one line). Refusing
rather than falling back to a private temp folder: the fallback would
hide a hostile repo behind a slower run, while a refusal fails the gate
visibly, and a legitimate repo never commits its state folder.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from govcheck.errors import UsageError

STATE_DIR_NAME = ".govcheck"
# How many trailing components of a cache folder govcheck creates and owns
# (<state>/cache/<name>): the caches open them without following links,
# starting from the folder holding the state folder.
CACHE_OWNED_PARTS = 3

# Entries govcheck itself puts in the state folder: each must be a real
# folder (or file) when present, never a link.
_OWN_ENTRIES = ("logs", "cache", ".gitignore")


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class StateDir:
    root: Path

    @classmethod
    def for_repo(cls, repo_root: Path, override: Path | str | None = None) -> "StateDir":
        """The state folder of ``repo_root`` (or ``override``), checked:
        UsageError when it is a link, when its parent leads out of the
        repository, or when one of govcheck's entries in it is a link."""
        real_root = os.path.realpath(repo_root)
        lexical = os.path.abspath(override) if override else os.path.join(str(repo_root), STATE_DIR_NAME)
        shown = override if override else STATE_DIR_NAME
        try:
            st = os.lstat(lexical)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise UsageError(f"state folder {shown}: {exc.strerror}; refused") from None
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise UsageError(f"state folder {shown} is a symbolic link; refused (remove it, or pass --state-dir)")
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise UsageError(f"state folder {shown} exists and is not a folder; refused")
        parent = os.path.realpath(os.path.dirname(lexical))
        in_repo = _is_under(lexical, os.path.abspath(repo_root)) or _is_under(lexical, real_root)
        if in_repo and not _is_under(parent, real_root):
            raise UsageError(f"state folder {shown} lies below a link leading out of the repository; refused")
        root = Path(parent) / os.path.basename(lexical)
        if st is not None:
            for name in _OWN_ENTRIES:
                try:
                    if stat.S_ISLNK(os.lstat(root / name).st_mode):
                        raise UsageError(f"state folder entry {shown}/{name} is a symbolic link; refused")
                except OSError:
                    pass
        return cls(root)

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
        """The folder keeps itself out of git (a ``.gitignore`` of ``*``),
        written without following a link planted in its place."""
        try:
            os.makedirs(self.root, exist_ok=True)
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return  # an unusable state folder only costs the caches
        try:
            wfd = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                          0o644, dir_fd=fd)
            with os.fdopen(wfd, "wb") as fh:
                fh.write(b"*\n")
        except OSError:
            pass  # present already (or unwritable)
        finally:
            os.close(fd)
