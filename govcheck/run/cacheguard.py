"""Undo what TEST_PLAN commands wrote into govcheck's pickled caches.

The commands can write anywhere the user can, ``.govcheck/`` included, and
govcheck *unpickles* files from ``<state>/cache/results`` (right after the
run, in the same process) and ``<state>/cache/parse`` (next run). Their
keys are computable from the repo, so a planted pickle would run its code in
govcheck itself, outside any sandbox. So the files under those folders are
recorded before the first command, and when the commands are over every file
that is new or changed is deleted, and every symlink: what is left is what
govcheck wrote before the run.

The folders on the way (``.govcheck``, ``cache``) are checked first, one
name at a time from a trusted base: one that became a symlink or another
folder is removed whole (never followed), so nothing outside the state
folder is touched and nothing below it is trusted.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Sequence

__all__ = ["CacheGuard"]

_FileId = tuple[int, int, int, int, int]


def _file_id(st: os.stat_result) -> _FileId:
    # ctime cannot be set back by a process: a rewritten file never passes
    # for the one that was there.
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _lstat_id(path: Path) -> tuple[int, _FileId] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return stat.S_IFMT(st.st_mode), _file_id(st)


def _walk(folder: Path) -> dict[str, tuple[int, _FileId]]:
    """relative path -> (file type, id) of everything under ``folder``
    (``folder`` itself as ``"."``); symlinks are listed, never followed."""
    top = _lstat_id(folder)
    if top is None:
        return {}
    found = {".": top}
    if top[0] != stat.S_IFDIR:
        return found
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = os.path.join(root, name)
            entry = _lstat_id(Path(path))
            if entry is not None:
                found[os.path.relpath(path, folder)] = entry
    return found


def _remove(path: Path) -> None:
    """Remove ``path`` itself: a symlink or file is unlinked, a folder
    deleted with what it holds (shutil.rmtree does not follow symlinks)."""
    entry = _lstat_id(path)
    if entry is None:
        return
    if entry[0] == stat.S_IFDIR:
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


class CacheGuard:
    """Records ``base/<parts...>/<leaf>`` for each leaf now;
    :meth:`undo_changes` later. ``base`` is trusted (the caller's path);
    every name below it is not."""

    def __init__(self, base: Path, parts: Sequence[str], leaves: Sequence[str] = ("parse", "results")) -> None:
        self.base = Path(base)
        self.ancestors = [self.base.joinpath(*parts[:i + 1]) for i in range(len(parts))]
        self.ancestor_ids = [_lstat_id(p) for p in self.ancestors]
        folder = self.base.joinpath(*parts)
        self.leaves = {folder / leaf: _walk(folder / leaf) for leaf in leaves}

    def undo_changes(self) -> list[str]:
        """Delete what is new or changed; returns the paths removed."""
        removed: list[str] = []
        for path, was in zip(self.ancestors, self.ancestor_ids):
            now = _lstat_id(path)
            if now == was or (now is not None and was is not None and now[0] == was[0] == stat.S_IFDIR
                              and now[1][:2] == was[1][:2]):
                continue  # the same folder as before (its entries may change)
            if now is not None:
                _remove(path)
                removed.append(str(path))
            return removed  # nothing below a replaced folder is ours
        for folder, before in self.leaves.items():
            now_all = _walk(folder)
            # Deepest first, so a folder is judged after what it holds.
            for rel in sorted(now_all, key=lambda r: r.count(os.sep), reverse=True):
                kind, ident = now_all[rel]
                was = before.get(rel)
                path = folder if rel == "." else folder / rel
                if kind == stat.S_IFDIR:
                    if was is not None and was[0] == kind and was[1][:2] == ident[:2]:
                        continue  # the same folder; new entries in it were judged above
                elif was == (kind, ident) and kind != stat.S_IFLNK:
                    continue  # unchanged file
                _remove(path)
                removed.append(str(path))
        return removed
