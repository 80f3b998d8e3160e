"""The text of any spec version: the working tree first, then git history.

A validator asking "did the sections this packet anchors to change?" needs
the old version's text, which a repo often keeps only in history (older
specs get deleted or moved). The store looks, in order, at the spec files
and bundles in the working tree's spec folders, then at any commit that
held a file of that name. Git is asked read-only and only about this repo.

History is read in one pass: a single ``git log`` over every spec file
name builds a map version -> the commits and paths that added or
modified it (newest first), and one ``git cat-file --batch`` process reads
the blobs. A repo with ~2,000 commits used to cost a ``git log`` per
version per store (seconds); now it costs one log per run, or none when
the map is cached in the state folder for the same refs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from govcheck.parse.versions import normalize_version, version_key
from govcheck.repo.git import BatchReaderError, CatFileBatch, Git
from govcheck.repo.repository import Repo
from govcheck.util.fsutil import atomic_write_bytes

_GIT_TIMEOUT = 30

# Every spec file name in history, as one git pathspec. Git's wildcards
# match across '/', so this is the union of the per-version pathspecs
# ``*Master*Spec_v<version>.md`` the store used to ask about one by one;
# spec_file_version() narrows it back down per version.
HISTORY_PATHSPEC = "*Master*Spec_v*.md"
_VERSION_TAIL_RE = re.compile(r"\d+(?:\.\d+)+")  # what normalize_version() returns
_OBJECT_ID_RE = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256 repos

# A version as packets write it beside a spec's name ("Spec_v02.90.md",
# "Master Spec v02.90"): only to guess which old text a packet will need.
# Matched in the lower-cased bytes: a pattern starting with a literal is
# searched for at C speed (memchr-like), a character class is tried at
# every byte (5x slower over 16 MB of packets).
_MENTION_RE = re.compile(rb"v(\d{1,9}(?:\.\d{1,9})+)")

# The on-disk map: bump when its meaning or layout changes.
MAP_FORMAT = 1
MAP_FILE = "spec-history-map.json"

# (commit, path) candidates per version, newest commit first.
HistoryMap = Mapping[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class SpecText:
    version: str
    source: str  # "Handshake_Master_Spec_v02.93.md" or "git 1a2b3c4:path"
    data: bytes


def spec_file_version(path: str) -> str | None:
    """The version ``v`` for which git's pathspec ``*Master*Spec_v<v>.md``
    matches ``path`` (as ``git log --name-only`` prints it), or None.

    The pattern ends in a literal ``Spec_v<v>.md`` and ``v`` is digits and
    dots, so ``v`` can only be what follows the last ``Spec_v``; the
    ``*Master*`` part asks for "Master" anywhere before it (case as
    written: git pathspecs are case-sensitive)."""
    if not path.endswith(".md"):
        return None
    stem = path[:-3]
    cut = stem.rfind("Spec_v")
    if cut < 0:
        return None
    version = stem[cut + len("Spec_v"):]
    if not _VERSION_TAIL_RE.fullmatch(version) or "Master" not in stem[:cut]:
        return None
    return version


def likely_version(data: bytes) -> tuple[int, ...]:
    """The numeric key of the spec version ``data`` (a packet's bytes)
    mentions most often (the first of those mentioned as often), or ()
    when it names none. A guess, used only to order work: packets that
    will ask for the same old spec text go to the same worker, which then
    reads and indexes that text once."""
    counts: dict[tuple[int, ...], int] = {}
    low = data.lower()
    for m in _MENTION_RE.finditer(low):
        key = tuple(int(part) for part in m.group(1).split(b"."))
        # A version beside the word "spec" (``Master_Spec_v02.90``,
        # ``payments-spec-v1.3``) outweighs any number of others (a crate's
        # ``v0.2.8`` in pasted build output).
        weight = _SPEC_WEIGHT if b"spec" in low[max(0, m.start() - _SPEC_NEAR) : m.start()] else 1
        counts[key] = counts.get(key, 0) + weight
    return max(counts, key=counts.__getitem__) if counts else ()


_SPEC_NEAR = 12  # bytes before the "v" in which "spec" marks a spec version
_SPEC_WEIGHT = 1_000_000


VersionOf = Callable[[str], "str | None"]


def history_naming(repo: Repo) -> tuple[tuple[str, ...], VersionOf]:
    """The git pathspecs of every spec file name in history, and the
    version a logged path names: the reference's ``*Master*Spec_v*.md`` by
    default, or the profile's ``layout.spec_files`` patterns with
    ``{version}`` as a wildcard (``*payments-spec-v*.md``)."""
    patterns = repo.profile.spec_files
    if not patterns:
        return (HISTORY_PATHSPEC,), spec_file_version
    specs = tuple(dict.fromkeys("*" + p.replace("{version}", "*").lstrip("*") for p in patterns))
    return specs, repo.profile.spec_version_of


def parse_history_log(out: bytes, version_of: VersionOf = spec_file_version) -> dict[str, tuple[tuple[str, str], ...]]:
    """Candidates per version from ``git log --format=%x00%H --name-only``.

    Parsed exactly as the per-version lookups parsed their own logs (so
    the same commit and path win): commits in log order, a commit's paths
    in git's order, a commit without paths (a merge) skipped."""
    found: dict[str, list[tuple[str, str]]] = {}
    for chunk in out.decode("utf-8", "replace").split("\x00")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if len(lines) < 2:
            continue
        sha, paths = lines[0], lines[1:]
        for path in paths:
            version = version_of(path)
            if version is not None:
                found.setdefault(version, []).append((sha, path))
    return {v: tuple(c) for v, c in found.items()}


def _valid_map(raw: object, version_of: VersionOf = spec_file_version) -> dict[str, tuple[tuple[str, str], ...]] | None:
    """The map a cache file holds, or None when anything in it is not what
    this module writes: the cache folder may hold anything (a restored CI
    cache, a hand edit), and a bad entry must cost a rebuild, never a wrong
    text. Each path must name a spec file of its version and each commit
    must be an object id, so an entry can only point where a fresh log
    could have pointed."""
    if not isinstance(raw, dict):
        return None
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for version, candidates in raw.items():
        if not isinstance(version, str) or not isinstance(candidates, list) or not candidates:
            return None
        pairs: list[tuple[str, str]] = []
        for pair in candidates:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                return None
            sha, path = pair
            if not _OBJECT_ID_RE.fullmatch(sha) or "\n" in path or version_of(path) != version:
                return None
            pairs.append((sha, path))
        out[version] = tuple(pairs)
    return out


class SpecStore:
    """Spec texts by version. One store serves a whole run (threads share
    it; a forked worker keeps using its copy and starts its own git
    reader). ``cache_dir`` (the state folder's) keeps the history map
    between runs; None (``--no-cache``) rebuilds it every run."""

    def __init__(self, repo: Repo, cache_dir: Path | None = None) -> None:
        self.repo = repo
        self.cache_dir = cache_dir
        self._cache: dict[str, SpecText | None] = {}
        self._lock = threading.Lock()
        self.git = Git(repo.root, timeout=_GIT_TIMEOUT)
        self._history: HistoryMap | None = None
        self._history_lock = threading.Lock()
        self._reader: CatFileBatch | None = None
        self._reader_failed_pid: int | None = None  # the process in which the reader could not start
        self._reader_lock = threading.Lock()
        self.pathspecs, self.version_of = history_naming(repo)

    def get(self, version: str) -> SpecText | None:
        key = ".".join(str(p) for p in version_key(version))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = self._from_tree(version) or self._from_git(version)
        with self._lock:
            self._cache[key] = found
        return found

    def close(self) -> None:
        """Stop the git reader (a later read starts a new one)."""
        with self._reader_lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def __enter__(self) -> "SpecStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def _from_git(self, version: str) -> SpecText | None:
        """The newest commit (on any ref) that added or modified a spec file
        of this version, and the file's text there."""
        if not self.git.is_repo():
            return None
        # The version as written ("02.90"), as the file names spell it: the
        # map is keyed by the names' spelling, like the pathspecs were.
        v = normalize_version(version)
        for sha, path in self.history().get(v, ()):
            data = self._read_blob(sha, path)
            if data is not None:
                return SpecText(v, f"git {sha[:12]}:{path}", data)
        return None

    # -- the history map ------------------------------------------------------

    def history(self) -> HistoryMap:
        """version -> (commit, path) candidates, newest first: built once
        per store (one ``git log``), or loaded from the state folder when
        the refs are the ones it was built for."""
        with self._history_lock:
            if self._history is None:
                key = self._refs_key() if self.cache_dir is not None else None
                loaded = self._load_map(key) if key is not None else None
                if loaded is None:
                    loaded = self._log_map()
                    if key is not None and loaded is not None:
                        self._save_map(key, loaded)
                # A failed log (no git, a timeout) gives an empty map for
                # this store, as the per-version lookups gave None.
                self._history = loaded if loaded is not None else {}
            return self._history

    def _log_map(self) -> dict[str, tuple[tuple[str, str], ...]] | None:
        # --no-renames: rename detection would compare every deleted spec
        # with every added one (megabytes each; seconds on a long history)
        # only to print the same new paths an add prints. The per-version
        # logs never saw a rename's source under another version's name.
        out = self.git.output(
            "log", "--all", "--no-renames", "--format=%x00%H", "--name-only", "--diff-filter=AMR", "--",
            *self.pathspecs,
        )
        return None if out is None else parse_history_log(out, self.version_of)

    def _refs_key(self) -> str | None:
        """What the map depends on: every ref and HEAD (``log --all``
        starts from them), the repo and the pathspec. None when git cannot
        list refs (no commits yet): then nothing is cached."""
        refs = self.git.output("show-ref", "--head")
        if not refs:
            return None
        h = hashlib.sha256()
        for part in (str(MAP_FORMAT), str(self.repo.root), *self.pathspecs):
            h.update(part.encode("utf-8") + b"\0")
        h.update(refs)
        return h.hexdigest()

    def _load_map(self, key: str) -> dict[str, tuple[tuple[str, str], ...]] | None:
        assert self.cache_dir is not None
        try:
            raw = json.loads((self.cache_dir / MAP_FILE).read_bytes())
        except (OSError, ValueError):
            return None  # absent, unreadable or not JSON: rebuild
        if not isinstance(raw, dict) or raw.get("format") != MAP_FORMAT or raw.get("key") != key:
            return None
        return _valid_map(raw.get("versions"), self.version_of)

    def _save_map(self, key: str, versions: Mapping[str, tuple[tuple[str, str], ...]]) -> None:
        assert self.cache_dir is not None
        doc = {"format": MAP_FORMAT, "key": key, "versions": {v: [list(p) for p in c] for v, c in versions.items()}}
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.cache_dir / MAP_FILE, json.dumps(doc, sort_keys=True).encode("utf-8"))
        except OSError:
            pass  # an unwritable state folder only costs the next run a log

    # -- blobs ----------------------------------------------------------------

    def _read_blob(self, sha: str, path: str) -> bytes | None:
        """The file at ``sha:path``, or None when git has no such object."""
        reader = self._batch_reader()
        if reader is not None:
            try:
                return reader.read(f"{sha}:{path}")
            except BatchReaderError:
                self.close()  # broken or timed out: the next read starts a fresh one
        # No batch reader here (it could not start, or just broke): one
        # process for this blob, as before.
        return self.git.output("show", f"{sha}:{path}")

    def _batch_reader(self) -> CatFileBatch | None:
        pid = os.getpid()
        with self._reader_lock:
            if self._reader is not None and not self._reader.usable:
                self._reader = None  # inherited through fork: the parent's process, not ours
            if self._reader is None and self._reader_failed_pid != pid:
                try:
                    self._reader = self.git.cat_file_batch(_GIT_TIMEOUT)
                except BatchReaderError:
                    self._reader_failed_pid = pid
                    return None
                # Ends the process when the store goes away or the
                # interpreter exits, whoever forgets to close.
                weakref.finalize(self, self._reader.close)
            return self._reader
