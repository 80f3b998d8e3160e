"""The text of any spec version: the working tree first, then git history.

A validator asking "did the sections this packet anchors to change?" needs
the old version's text, which a repo often keeps only in history (older
specs get deleted or moved). The store looks, in order, at the spec files
and bundles in the working tree's spec folders, then at any commit that
held a file of that name. Git is asked read-only and only about this repo.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from govcheck.repo.git import Git
from govcheck.repo.repository import Repo
from govcheck.parse.versions import normalize_version, version_key

_GIT_TIMEOUT = 30


@dataclass(frozen=True)
class SpecText:
    version: str
    source: str  # "Handshake_Master_Spec_v02.93.md" or "git 1a2b3c4:path"
    data: bytes


class SpecStore:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._cache: dict[str, SpecText | None] = {}
        self._lock = threading.Lock()
        self.git = Git(repo.root, timeout=_GIT_TIMEOUT)

    def get(self, version: str) -> SpecText | None:
        key = ".".join(str(p) for p in version_key(version))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = self._from_tree(version) or self._from_git(version)
        with self._lock:
            self._cache[key] = found
        return found

    def _from_tree(self, version: str) -> SpecText | None:
        want = version_key(version)
        for sf in self.repo.spec_files:
            if version_key(sf.version) == want:
                return SpecText(sf.version, sf.path, self.repo.read_bytes(sf.path))
        for bundle in self.repo.spec_bundles:
            if version_key(bundle.version) == want:
                data = self.repo.bundle_text_bytes(bundle.path)
                if data is not None:
                    return SpecText(bundle.version, bundle.path, data)
        return None

    def _git(self, *args: str) -> bytes | None:
        return self.git.output(*args)

    def _from_git(self, version: str) -> SpecText | None:
        """The newest commit (on any ref) that added or modified a spec file
        of this version, and the file's text there."""
        if not self.git.is_repo():
            return None
        v = normalize_version(version)
        # git pathspec wildcards match across '/' by default.
        out = self._git(
            "log", "--all", "--format=%x00%H", "--name-only", "--diff-filter=AMR",
            "--", f"*Master*Spec_v{v}.md",
        )
        if not out:
            return None
        for chunk in out.decode("utf-8", "replace").split("\x00")[1:]:
            lines = [ln for ln in chunk.splitlines() if ln.strip()]
            if len(lines) < 2:
                continue
            sha, paths = lines[0], lines[1:]
            for path in paths:
                data = self._git("show", f"{sha}:{path}")
                if data is not None:
                    return SpecText(v, f"git {sha[:12]}:{path}", data)
        return None
