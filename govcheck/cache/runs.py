"""Command results cached by what determines them.

Key: the command as run (placeholders filled), the packet's content hash,
and the repo state (the git tree of HEAD plus a hash of uncommitted and
untracked changes). An unchanged re-run then reports the earlier result
and its log in milliseconds. Outside git there is no trustworthy state,
so nothing is cached.

The commands being judged can write the state folder, so a stored result
is believed only when (``cache.store``) its HMAC verifies with the user's
key and it names its own key; a forged "passed" is a miss. Even then a
result is used only while its log still exists as a regular file of the
recorded size and sha256 (opened without following links or blocking), so
the evidence it points to is real; a passed, failed or timed-out result
without a log is never one the runner wrote, and is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path

from govcheck.cache import codec
from govcheck.cache.state import CACHE_OWNED_PARTS
from govcheck.cache.store import EntryStore, read_regular
from govcheck.model import CommandResult
from govcheck.repo.git import Git

CACHE_FORMAT = 2
# Statuses the runner decides by running: only these are cached.
_RAN = ("passed", "failed", "timeout")
# Logs are capped by the runner (run.log_cap); far larger is not its log.
_MAX_LOG_BYTES = 1 << 30


def _git(root: Path, *args: str) -> bytes | None:
    return Git(root, timeout=60).output(*args)


def _untracked_digest(root: Path, name: bytes) -> bytes:
    """What an untracked file holds, read without following a link (its
    target is hashed instead) or blocking on a FIFO a command left."""
    path = root / os.fsdecode(name)
    try:
        st = os.lstat(path)
    except OSError:
        return b"?"
    if stat.S_ISLNK(st.st_mode):
        try:
            return b"link:" + os.fsencode(os.readlink(path))
        except OSError:
            return b"?"
    if not stat.S_ISREG(st.st_mode):
        return b"special:%o" % stat.S_IFMT(st.st_mode)
    data = read_regular(str(path), None, limit=_MAX_LOG_BYTES)
    return hashlib.sha256(data).digest() if data is not None else b"?"


def repo_state(root: Path) -> str | None:
    """A hash of everything a command could see in the repo, or None when
    the repo is not a git work tree."""
    tree = _git(root, "rev-parse", "HEAD^{tree}")
    if tree is None:
        return None
    h = hashlib.sha256(tree.strip())
    h.update(_git(root, "diff", "HEAD", "--binary", "--no-ext-diff") or b"")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z") or b""
    for name in sorted(n for n in untracked.split(b"\0") if n):
        h.update(b"\0" + name)
        h.update(_untracked_digest(root, name))
    return h.hexdigest()


def _file_id(st: os.stat_result) -> tuple[int, int, int, int, int]:
    # ctime cannot be set back by a process, so a rewritten file never
    # passes for the one that was there.
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclasses.dataclass(frozen=True)
class _Entry:
    key: str  # repeated inside: an entry copied under another key is refused
    result: CommandResult


class RunCache:
    def __init__(self, folder: Path, repo_root: Path, packet_sha: dict[str, str], state: str | None,
                 version: str) -> None:
        self.folder = folder
        self.repo_root = repo_root
        self.packet_sha = packet_sha
        self.state = state
        self.version = version
        try:
            self._store: EntryStore | None = EntryStore(Path(folder), CACHE_OWNED_PARTS, "runs", sharded=False)
        except ValueError:
            self._store = None
        # The entries as they were before any command of this run: a command
        # can compute every part of a later command's key, and it runs as the
        # user that holds the signing key, so an entry written or changed
        # while this run's commands ran is never a hit (defence in depth).
        self._before: dict[str, tuple[int, int, int, int, int]] = {}
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        self._before[entry.name] = _file_id(entry.stat(follow_symlinks=False))
        except OSError:
            pass

    def _key(self, packet_id: str, n: int, command: str) -> str | None:
        if self.state is None:
            return None
        raw = json.dumps([CACHE_FORMAT, self.version, packet_id, n, command,
                          self.packet_sha.get(packet_id, ""), self.state])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def get(self, packet_id: str, n: int, command: str) -> CommandResult | None:
        key = self._key(packet_id, n, command)
        if key is None or self._store is None:
            return None
        entry_path = self._store.path(key)
        try:
            now = _file_id(os.stat(entry_path, follow_symlinks=False))
        except OSError:
            return None
        if now != self._before.get(entry_path.name):
            return None  # written or changed since this run began
        payload = self._store.get(key)
        if payload is None:
            return None
        try:
            entry = codec.decode(payload, _Entry)
        except codec.DecodeError:
            return None
        result = entry.result
        if entry.key != key or result.status not in _RAN or result.cached:
            return None
        if not (result.log_path and result.log_sha256 and result.log_size is not None):
            return None
        log = Path(result.log_path)
        log = log if log.is_absolute() else self.repo_root / log
        data = read_regular(str(log), None, limit=_MAX_LOG_BYTES)
        if data is None or len(data) != result.log_size or hashlib.sha256(data).hexdigest() != result.log_sha256:
            return None
        return result

    def put(self, packet_id: str, n: int, command: str, result: CommandResult) -> None:
        key = self._key(packet_id, n, command)
        if key is None or self._store is None or result.status not in _RAN:
            return
        try:
            payload = codec.encode(_Entry(key, dataclasses.replace(result, cached=False)))
        except (TypeError, ValueError):
            return
        self._store.put(key, payload)
