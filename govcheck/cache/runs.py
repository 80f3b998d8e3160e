"""Command results cached by what determines them.

Key: the command as run (placeholders filled), the packet's content hash,
and the repo state (the git tree of HEAD plus a hash of uncommitted and
untracked changes). An unchanged re-run then reports the earlier result
and its log in milliseconds. Outside git there is no trustworthy state,
so nothing is cached. A cached result is used only while its log file
still exists with the recorded sha256, so the evidence it points to is
real.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

from govcheck.model import CommandResult
from govcheck.repo.git import Git

CACHE_FORMAT = 1


def _git(root: Path, *args: str) -> bytes | None:
    return Git(root, timeout=60).output(*args)


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
        try:
            h.update(hashlib.sha256((root / os.fsdecode(name)).read_bytes()).digest())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def _file_id(st: os.stat_result) -> tuple[int, int, int, int, int]:
    # ctime cannot be set back by a process, so a rewritten file never
    # passes for the one that was there.
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class RunCache:
    """Results of earlier runs, keyed as the module docstring says.

    The commands of this run can write in the cache folder, and every part
    of a key is something a command can compute (the repo state is taken
    before they run). So only entries that were already there, unchanged,
    when the cache was opened (before any command of this run) are used: an
    entry a command plants for a later command would otherwise report that
    command passed without running it.
    """

    def __init__(self, folder: Path, repo_root: Path, packet_sha: dict[str, str], state: str | None,
                 version: str) -> None:
        self.folder = folder
        self.repo_root = repo_root
        self.packet_sha = packet_sha
        self.state = state
        self.version = version
        self._before: dict[str, tuple[int, int, int, int, int]] = {}
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
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
        if key is None:
            return None
        name = f"{key}.json"
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as fh:
                if _file_id(os.fstat(fh.fileno())) != self._before.get(name):
                    return None  # written or changed since this run began
                doc = json.loads(fh.read().decode("utf-8"))
            result = CommandResult(**{**doc, "proof_lines": tuple(doc.get("proof_lines") or ())})
        except (OSError, ValueError, TypeError):
            return None
        if result.log_path:
            log = Path(result.log_path)
            log = log if log.is_absolute() else self.repo_root / log
            try:
                if hashlib.sha256(log.read_bytes()).hexdigest() != result.log_sha256:
                    return None
            except OSError:
                return None
        return result

    def put(self, packet_id: str, n: int, command: str, result: CommandResult) -> None:
        key = self._key(packet_id, n, command)
        if key is None or result.status not in ("passed", "failed", "timeout"):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            doc = dataclasses.asdict(dataclasses.replace(result, cached=False))
            _replace_file(self.folder / f"{key}.json", json.dumps(doc, sort_keys=True).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` as a new file renamed over ``path``. Unlike
    fsutil.atomic_write_bytes this never writes through a symlink at
    ``path``: the commands just run could have planted one there."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
