"""The governance repository on disk: layout, SPEC_CURRENT, specs, packets.

This is the only module (with ``specs.py`` for git history) that touches
the file system. Everything is read lazily and at most once; every path
handed out is repo-relative with POSIX separators; nothing outside the
repository root is ever read (a symlink that leaves the repo is refused).
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from govcheck.errors import RepoError, SpecCurrentError, UnknownPacketError, UsageError
from govcheck.model import SpecCurrent, SpecFile
from govcheck.model.profile import Profile
from govcheck.parse.spec import fence_open_at_end
from govcheck.parse.text import decode
from govcheck.parse.versions import (
    normalize_version,
    version_from_spec_filename,
    version_key,
)

# Every layout real repos have used, newest first. A configured path wins.
DEFAULT_SPEC_CURRENT = (
    ".GOV/spec/SPEC_CURRENT.md",
    ".GOV/roles_shared/SPEC_CURRENT.md",
    "docs/SPEC_CURRENT.md",
)
DEFAULT_PACKET_DIRS = (
    ".GOV/task_packets",
    ".GOV/work_packets",
    "docs/task_packets",
)
DEFAULT_SPEC_DIRS = (
    ".",
    ".GOV/spec",
    ".GOV/spec/history",
    ".GOV/spec/spec_archive",  # older bundles once a newer one is current
    ".GOV/operator",
    "docs",
    ".GOV/roles_shared",
)
DEFAULT_TASK_BOARD = (
    ".GOV/roles_shared/records/TASK_BOARD.md",
    ".GOV/roles_shared/TASK_BOARD.md",
    ".GOV/TASK_BOARD.md",
    "docs/TASK_BOARD.md",
)
DEFAULT_TRACEABILITY = (
    ".GOV/roles_shared/records/WP_TRACEABILITY_REGISTRY.md",
    ".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md",
    "docs/WP_TRACEABILITY_REGISTRY.md",
)
DEFAULT_REFINEMENTS = (".GOV/refinements", "docs/refinements")
DEFAULT_EXCLUDE = ("**/stubs/**", "**/templates/**", "**/_archive/**")

# Markers of a repo root when walking up from the working directory.
_ROOT_MARKERS = ("govcheck.yaml", ".govcheck.yaml", ".GOV", "docs/SPEC_CURRENT.md", ".git")

_PLAIN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_BOLD_LINE_RE = re.compile(r"^\s*\*\*(?P<value>[^*]+?)\*\*\s*$")
_BUNDLE_RE = re.compile(r"master[-_]spec[-_]v(?P<version>\d+\.\d+)$", re.I)
# Recorded when a rule read something no file state describes (a glob).
UNRECORDABLE = "\0unrecordable"


@dataclass(frozen=True)
class PacketLocation:
    id: str
    # repo-relative: the packet Markdown (flat file or folder/packet.md);
    # packet.json for a JSON-only packet; the folder for microtasks only
    path: str
    kind: str  # "file" | "folder"
    json_path: str | None = None  # folder packets: packet.json when present
    superseded: tuple[str, ...] = ()  # flat files the folder supersedes
    escapes_repo: bool = False  # a symlink pointing outside the repo
    form: str = "markdown"  # one of model.PACKET_FORMS
    folder: str | None = None  # folder packets: the WP-* folder


# A folder is a packet when it holds one of these (microtask contracts
# alone make a packet too: the reference's generator writes them first).
_MICROTASK_FILE_RE = re.compile(r"^MT-\d+\.json$", re.IGNORECASE)


def _folder_form(names: set[str]) -> str | None:
    """The packet form of a WP-* folder from its file names (None: not a packet)."""
    if "packet.json" in names:
        return "contract+projection" if "packet.md" in names else "contract"
    if "packet.md" in names:
        return "markdown"
    if any(_MICROTASK_FILE_RE.match(n) for n in names):
        return "microtasks"
    return None


@dataclass(frozen=True)
class LayoutConfig:
    """The layout part of the configuration (all optional)."""

    packets: tuple[str, ...] = ()
    spec_current: tuple[str, ...] = ()
    spec_dirs: tuple[str, ...] = ()
    task_board: tuple[str, ...] = ()
    traceability_registry: tuple[str, ...] = ()
    refinements: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def find_repo_root(start: Path) -> Path:
    """Walk up from ``start`` to the first folder that looks like a repo root."""
    start = start.resolve()
    for folder in (start, *start.parents):
        for marker in _ROOT_MARKERS:
            if (folder / marker).exists():
                return folder
    raise RepoError(f"no governance repo found at or above {start} (looked for govcheck.yaml, .GOV/, docs/SPEC_CURRENT.md, "
                    ".git); pass --repo DIR, or run govcheck init in the repository root")


def check_plain_id(wp_id: str) -> str:
    if not _PLAIN_ID_RE.match(wp_id) or ".." in wp_id:
        raise UsageError(f"'{wp_id}' is not a plain packet id (expected something like WP-1-Storage-Foundation)")
    return wp_id


# Characters that make a path a glob pattern (walk_files).
_GLOB_CHARS = "*?["


class Repo:
    """Lazy, read-only view of a governance repository."""

    def __init__(self, root: Path, layout: LayoutConfig | None = None, profile: Profile | None = None) -> None:
        if not root.exists():
            raise RepoError(f"repo folder does not exist: {root}")
        if not root.is_dir():
            raise RepoError(f"repo path is not a folder: {root}")
        self.root = root.resolve()
        self.layout = layout or LayoutConfig()
        self.profile = profile or Profile()
        self._texts: dict[str, str] = {}
        self._recording: list[dict[str, str]] = []
        self._records_reads = True
        self._bytes: dict[str, bytes] = {}
        # bundle folder -> (module paths read, joined text): assembled once a
        # run (the same bytes object every time, so its spec index is found
        # by identity, not by hashing megabytes again).
        self._bundle_texts: dict[str, tuple[tuple[str, ...], bytes | None]] = {}
        # path as recorded -> its fingerprint, fixed at first sight in this run
        self._fingerprints: dict[str, str] = {}

    # -- file access ---------------------------------------------------------

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def abs(self, rel_path: str) -> Path:
        return self.root / rel_path

    def inside(self, path: Path) -> bool:
        """True when ``path`` (after resolving symlinks) stays in the repo."""
        return self._inside(str(path))

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one Repo per run; paths repeat across rules
    def _inside(self, path: str) -> bool:
        # os.path.realpath, not Path.resolve: resolve raises RuntimeError on
        # a symlink loop, and a loop inside the repo is a file that cannot be
        # read (said by whoever reads it), not one outside the repo.
        try:
            Path(self._realpath(path)).relative_to(self.root)
            return True
        except (ValueError, OSError):  # ValueError also: a NUL byte in the path
            return False

    def _realpath(self, path: str) -> str:
        """``os.path.realpath(path)``, with the folder part's answer cached:
        a last component that is no link (or does not exist) resolves to
        itself under its folder's real path, so one lstat stands in for a
        realpath walking every component (~0.15 ms; thousands of packets
        share a few folders)."""
        parent, name = os.path.split(path)
        if parent and name not in ("", ".", ".."):
            try:
                last_is_link = stat.S_ISLNK(os.lstat(path).st_mode)
            except FileNotFoundError:
                last_is_link = False
            except (OSError, ValueError):  # ValueError: a NUL byte in the path
                last_is_link = True  # let realpath (and its errors) decide
            if not last_is_link:
                return os.path.join(self._real_folder(parent), name)
        return os.path.realpath(path)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one Repo per run
    def _real_folder(self, folder: str) -> str:
        return os.path.realpath(folder)

    def stat(self, path: Path | str) -> os.stat_result | None:
        """``os.stat`` of a path (links followed), or None when it cannot be
        had for any reason: missing, a name over NAME_MAX (ENAMETOOLONG), a
        symlink loop (ELOOP), a NUL byte, no permission. Paths come from
        packets, so every one of those is "does not exist", never a crash."""
        try:
            return os.stat(path)
        except (OSError, ValueError):
            return None

    # -- dependency recording (govcheck.cache.results: a packet's result is reused
    # only while every file its rules looked at is unchanged) ---------------

    def record_reads(self, on: bool) -> None:
        """Whether recordings are kept (by default they are). A run with no
        results cache has no use for them, and a recording fingerprints
        every path a rule looks at (hashing every evidence file it finds).
        Set between recordings, never inside one."""
        if self._recording:
            raise RuntimeError("record_reads() called while a recording is open")
        self._records_reads = on

    def start_recording(self) -> None:
        if self._records_reads:
            self._recording.append({})

    def stop_recording(self) -> dict[str, str]:
        """Paths (repo-relative or absolute) looked at since the matching
        start_recording, each with its fingerprint as the rules saw it
        (nothing when reads are not recorded). Recordings nest; an inner
        one's paths also count for the outer ones."""
        return self._recording.pop() if self._records_reads else {}

    def record(self, path) -> None:
        """Note that a rule depends on ``path`` (a file, or a folder's entries)."""
        if self._recording:
            key = str(path)
            fp = "" if key == UNRECORDABLE else self.fingerprint(key)
            for rec in self._recording:
                rec[key] = fp

    def unrecordable(self) -> None:
        """A rule read something that cannot be recorded as a file state."""
        self.record(UNRECORDABLE)

    def fingerprint(self, path) -> str:
        """What ``path`` holds, as a string that changes whenever what a
        rule could learn from it changes: ``file:<sha256 of the bytes>``,
        ``dir:<sha256 of the entry names and kinds>``, ``missing``,
        ``outside`` (leaves the repo), ``special:<type>``, ``unreadable``.

        Taken once per run, at first sight: for a file read through
        read_bytes, of exactly the bytes the rules got, so an edit during
        the run (or one that puts size and mtime back) differs next run.
        A file whose bytes changed between a look and a read is
        ``unstable``, which no later fingerprint equals."""
        key = str(path)
        fp = self._fingerprints.get(key)
        if fp is None:
            data = self._bytes.get(key)
            fp = _digest(data) if data is not None else self._look(key)
            self._fingerprints[key] = fp
        return fp

    def _look(self, key: str) -> str:
        p = Path(key) if os.path.isabs(key) else self.abs(key)
        try:
            os.lstat(p)  # most looked-at paths that are absent (cited evidence) end here, without a realpath
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        except OSError:
            pass
        if not self.inside(p):
            return "outside"
        try:
            # O_NONBLOCK: a FIFO in the repo must not hang the run
            fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        except OSError:
            return "unreadable"
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                while chunk := os.read(fd, 1 << 20):
                    h.update(chunk)
                return "file:" + h.hexdigest()
            if stat.S_ISDIR(st.st_mode):
                with os.scandir(fd) as entries:
                    names = sorted(f"{e.name}\0{int(e.is_dir(follow_symlinks=False))}" for e in entries)
                return "dir:" + hashlib.sha256("\n".join(names).encode("utf-8", "surrogateescape")).hexdigest()
            return f"special:{stat.S_IFMT(st.st_mode):o}"
        except OSError:
            return "unreadable"
        finally:
            os.close(fd)

    def exists(self, rel_path: str) -> bool:
        self.record(rel_path)
        p = self.abs(rel_path)
        return self.inside(p) and self.stat(p) is not None

    def is_file(self, rel_path: str) -> bool:
        self.record(rel_path)
        p = self.abs(rel_path)
        if not self.inside(p):
            return False
        st = self.stat(p)
        return st is not None and stat.S_ISREG(st.st_mode)

    def read_bytes(self, rel_path: str) -> bytes:
        """Read a repo file once (memoised). Refuses paths leaving the repo
        and anything but a regular file."""
        cached = self._bytes.get(rel_path)
        if cached is not None:
            self.record(rel_path)
            return cached
        p = self.abs(rel_path)
        if not self.inside(p):
            self.record(rel_path)
            raise RepoError(f"{rel_path}: resolves outside the repository; refused")
        try:
            data = read_regular_file(p, rel_path)
        except RepoError:
            self.record(rel_path)
            raise
        self._bytes[rel_path] = data
        seen = self._fingerprints.get(rel_path)
        if seen is not None and seen != _digest(data):
            # looked at earlier in this run with other bytes: whatever was
            # recorded then must not match next run
            self._fingerprints[rel_path] = "unstable"
        self.record(rel_path)  # after the read: the fingerprint is of these bytes
        return data

    def is_dir(self, path: Path | str) -> bool:
        """A folder inside the repo (a repo-relative or absolute path; any
        name a packet gives, of any length, is answered, never raised)."""
        self.record(path)
        p = self.abs(str(path)) if not Path(path).is_absolute() else Path(path)
        if not self.inside(p):
            return False
        st = self.stat(p)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def list_dir(self, rel_path: str) -> tuple[tuple[str, str], ...]:
        """A folder's entries as (name, kind), sorted by name. kind is
        ``file``, ``dir``, ``link`` (a symlink, never followed: callers
        decide whether a link counts) or ``other``. Empty when the folder
        is missing, unreadable or leaves the repo."""
        self.record(rel_path)
        p = self.abs(rel_path)
        if not self.inside(p):
            return ()
        out: list[tuple[str, str]] = []
        try:
            with os.scandir(p) as entries:
                for entry in entries:
                    try:
                        if entry.is_symlink():
                            kind = "link"
                        elif entry.is_dir(follow_symlinks=False):
                            kind = "dir"
                        elif entry.is_file(follow_symlinks=False):
                            kind = "file"
                        else:
                            kind = "other"
                    except OSError:
                        kind = "other"
                    out.append((entry.name, kind))
        except OSError:
            return ()
        return tuple(sorted(out))

    def read_text(self, rel_path: str) -> str:
        """The decoded text (BOM dropped, newlines as LF), memoised like the bytes."""
        self.record(rel_path)
        cached = self._texts.get(rel_path)
        if cached is None:
            cached = self._texts[rel_path] = decode(self.read_bytes(rel_path)).text
        return cached

    def remember_text(self, rel_path: str, text: str) -> None:
        """The parser decoded this file already: rules reading it reuse that."""
        self._texts.setdefault(rel_path, text)

    # -- source files under given paths (the scan rules' IN_SCOPE_PATHS) -------

    def walk_files(self, paths: Iterable[str], *, skip_dirs: frozenset[str] = frozenset(),
                   max_files: int | None = None, max_file_bytes: int | None = None) -> list[str]:
        """Repo-relative files under ``paths`` (repo-relative files, folders
        searched recursively, or globs), sorted. Each stays inside the repo
        (symlinks leading out are not followed), is at most
        ``max_file_bytes`` long, and at most ``max_files`` are collected;
        folders named in ``skip_dirs`` are not entered. Every file and folder
        looked at is recorded; a glob makes the result unrecordable (which
        files it matches is not one file's state)."""
        found: set[str] = set()
        limit = max_files if max_files is not None else float("inf")

        def add_file(p: Path) -> None:
            if len(found) >= limit or not self.inside(p) or not p.is_file():
                return
            self.record(p)
            try:
                if max_file_bytes is not None and p.stat().st_size > max_file_bytes:
                    return
            except OSError:
                return
            found.add(self.rel(p.resolve()) if p.is_symlink() else self.rel(p))

        def add_dir(d: Path) -> None:
            for dirpath, dirnames, filenames in os.walk(d, followlinks=False):
                dirnames[:] = sorted(n for n in dirnames if n not in skip_dirs)
                here = Path(dirpath)
                if not self.inside(here):
                    dirnames[:] = []
                    continue
                self.record(here)  # a folder's mtime moves when entries come or go
                for name in sorted(filenames):
                    add_file(here / name)
                if len(found) >= limit:
                    return

        for rel in paths:
            if any(c in rel for c in _GLOB_CHARS):
                self.unrecordable()
                try:
                    matches = sorted(self.root.glob(rel))
                except (ValueError, NotImplementedError, OSError):
                    continue
                for p in matches:
                    if self.inside(p):
                        add_dir(p) if self.is_dir(p) else add_file(p)
                continue
            p = self.abs(rel.rstrip("/"))
            self.record(p)
            if not self.inside(p) or self.stat(p) is None:  # the path is the packet's: any name, any length
                continue
            if self.is_dir(p):
                add_dir(p)
            else:
                add_file(p)
        return sorted(found)

    def read_source_lines(self, rel_path: str) -> list[str] | None:
        """A source file's text lines for scanning (BOM dropped, newlines as
        LF, invalid UTF-8 replaced), or None for a binary file (a NUL byte in
        its first 8 KB), an unreadable one or one outside the repo. Neither
        memoised nor recorded: a scan may read thousands of files, and
        walk_files recorded each already."""
        p = self.abs(rel_path)
        if not self.inside(p):
            return None
        try:
            data = p.read_bytes()
        except OSError:
            return None
        if b"\x00" in data[:8192]:
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def _first_existing(self, candidates: Iterable[str]) -> str | None:
        for c in candidates:
            if self.is_file(c):
                return c
        return None

    # -- layout --------------------------------------------------------------

    @cached_property
    def packet_dirs(self) -> tuple[str, ...]:
        dirs = self.layout.packets or DEFAULT_PACKET_DIRS
        # A packet folder that is (or sits under) a link leading out of the
        # repo is not searched: nothing outside the repo is read.
        return tuple(d for d in dirs if (self.root / d).is_dir() and self.inside(self.root / d))

    @cached_property
    def spec_dirs(self) -> tuple[str, ...]:
        dirs = self.layout.spec_dirs or DEFAULT_SPEC_DIRS
        return tuple(d for d in dirs if (self.root / d).is_dir())

    @cached_property
    def task_board_path(self) -> str | None:
        return self._first_existing(self.layout.task_board or DEFAULT_TASK_BOARD)

    @cached_property
    def traceability_path(self) -> str | None:
        return self._first_existing(self.layout.traceability_registry or DEFAULT_TRACEABILITY)

    def layout_notes(self) -> tuple[str, ...]:
        """What a report must say about the layout: a task board or
        traceability registry that was looked for and not found (the rules
        that read them then have nothing to check, which is not a pass)."""
        notes: list[str] = []
        if not self.profile.process_rules and not (self.layout.task_board or self.layout.traceability_registry):
            return ()  # only the reference's process rules read them, and this profile runs none
        for what, found, configured, default in (
            ("task board", self.task_board_path, self.layout.task_board, DEFAULT_TASK_BOARD),
            ("traceability registry", self.traceability_path, self.layout.traceability_registry, DEFAULT_TRACEABILITY),
        ):
            if found is None:
                where = "configured" if configured else "default"
                notes.append(f"No {what} found ({where} paths: {', '.join(configured or default)}); "
                             f"the checks that read it were not made.")
        return tuple(notes)

    @cached_property
    def refinement_dirs(self) -> tuple[str, ...]:
        dirs = self.layout.refinements or DEFAULT_REFINEMENTS
        return tuple(d for d in dirs if (self.root / d).is_dir())

    @cached_property
    def spec_current_paths(self) -> tuple[str, ...]:
        """Every SPEC_CURRENT file present (the first is authoritative;
        later ones are compatibility copies that must agree)."""
        candidates = self.layout.spec_current or DEFAULT_SPEC_CURRENT
        return tuple(c for c in candidates if self.is_file(c))

    # -- packets -------------------------------------------------------------

    def _excluded(self, rel_path: str) -> bool:
        patterns = self.layout.exclude or DEFAULT_EXCLUDE
        return any(fnmatch.fnmatch(rel_path, p) or fnmatch.fnmatch("/" + rel_path, p) for p in patterns)

    @cached_property
    def packets(self) -> dict[str, PacketLocation]:
        """Packet id -> location: the profile's packet files when it names
        them (``layout.packet_files``), else the reference's discovery."""
        if self.profile.packet_files:
            return self._packets_by_glob()
        return self._wp_packets()

    def _packets_by_glob(self) -> dict[str, PacketLocation]:
        """Files under the packet folders matching ``layout.packet_files``
        (matched against the path below the folder; a pattern without ``/``
        against the file name at any depth). The id is the file's stem, or
        for a folder per task (``TASK-*/task.md``) the nearest folder name,
        whichever matches ``id_pattern``; a file with no such name is not a
        packet (a README beside the tasks)."""
        out: dict[str, PacketLocation] = {}
        escapes: set[str] = set()
        patterns = self.profile.packet_files
        for base, here, rel_here, _dirnames, filenames in self._walk_packet_dirs():
            below = here.relative_to(base).as_posix()
            for name in sorted(filenames):
                sub = name if below == "." else f"{below}/{name}"
                if not any(fnmatch.fnmatchcase(sub if "/" in pat else name, pat) for pat in patterns):
                    continue
                rel = f"{rel_here}/{name}" if rel_here != "." else name
                if self._excluded(rel):
                    continue
                packet_id = self._id_of(sub) or self._front_matter_id(here / name)
                if packet_id is None or packet_id in out:
                    continue
                folder = (rel.rsplit("/", 1)[0] if packet_id in rel.split("/")[:-1] else None)
                if os.path.islink(here / name) and not self.inside(here / name):
                    escapes.add(packet_id)
                out[packet_id] = PacketLocation(packet_id, rel, "folder" if folder else "file",
                                                escapes_repo=packet_id in escapes, folder=folder)
        return dict(sorted(out.items()))

    def _walk_packet_dirs(self) -> Iterator[tuple[Path, Path, str, list[str], list[str]]]:
        """(packet folder, folder walked, its repo path, sub-folders, files)
        for every folder under the packet folders, hidden and excluded
        folders left out, links never followed."""
        for d in self.packet_dirs:
            base = self.root / d
            for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
                here = Path(dirpath)
                rel_here = self.rel(here)
                dirnames[:] = sorted(
                    n for n in dirnames if not n.startswith(".") and not self._excluded(f"{rel_here}/{n}/")
                )
                yield base, here, rel_here, dirnames, filenames

    def packet_id_for_path(self, rel_path: str) -> str | None:
        """The packet a changed repo path is (``layout.packet_files``
        profiles; govcheck ci): the path below a packet folder matches a
        packet-file pattern and names an id, else None."""
        for d in self.layout.packets:
            prefix = d.rstrip("/") + "/"
            if not rel_path.startswith(prefix) or self._excluded(rel_path):
                continue
            sub = rel_path[len(prefix):]
            name = sub.rsplit("/", 1)[-1]
            if any(fnmatch.fnmatchcase(sub if "/" in pat else name, pat) for pat in self.profile.packet_files):
                return self._id_of(sub)
        return None

    # Front matter is at the top: an id there is within the first few KB.
    _FRONT_ID_BYTES = 8192

    def _front_matter_id(self, path: Path) -> str | None:
        """The ``id:`` of a packet file's front matter when its name holds no
        id (``refund-window.md`` with ``id: TASK-7``), for profiles that read
        front matter; None otherwise. Reads at most the first 8 KB of a
        regular file inside the repo."""
        if not self.profile.front_matter or not self.inside(path):
            return None
        try:
            fd = os.open(path, os.O_RDONLY | _NONBLOCK)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            head = os.read(fd, self._FRONT_ID_BYTES)
        except OSError:
            return None
        finally:
            os.close(fd)
        from govcheck.parse.front_matter import read_front_matter  # only for such names; parse layer, no cycle

        front = read_front_matter(head.decode("utf-8", "replace").split("\n"))
        if front is None or front.problem is not None:
            return None
        for value in front.values:
            if value.key.lower() == "id" and self.profile.is_id(value.value.strip()):
                return value.value.strip()
        return None

    def _id_of(self, sub: str) -> str | None:
        parts = sub.split("/")
        stem = parts[-1].rsplit(".", 1)[0]
        for candidate in (stem, *reversed(parts[:-1])):
            if self.profile.is_id(candidate):
                return candidate
        return None

    def _wp_packets(self) -> dict[str, PacketLocation]:
        """Every ``WP-*`` folder holding
        ``packet.md``, ``packet.json`` or ``MT-NNN.json`` is a packet, and
        wins over a flat ``WP-*.md`` of the same id (the flat file is
        superseded)."""
        flat: dict[str, str] = {}
        folders: dict[str, tuple[str, str | None, str, str]] = {}
        escapes: set[str] = set()
        for _base, here, rel_here, dirnames, filenames in self._walk_packet_dirs():
            for name in sorted(dirnames):
                if not name.startswith("WP-") or name in folders:
                    continue
                folder = f"{rel_here}/{name}" if rel_here != "." else name
                try:
                    # Any entry but a folder counts: a FIFO or device
                    # named packet.md is still this packet, which the
                    # loader then refuses without opening it blocking
                    # (packet-unreadable), rather than a packet skipped
                    # without a word.
                    with os.scandir(here / name) as entries:
                        names = {e.name for e in entries if not e.is_dir(follow_symlinks=False)}
                except OSError:
                    continue
                form = _folder_form(names)
                if form is None:
                    continue
                js = f"{folder}/packet.json" if "packet.json" in names else None
                if "packet.md" in names:
                    rel = f"{folder}/packet.md"
                else:
                    rel = js or folder
                folders[name] = (rel, js, form, folder)
                if (not self.inside(here / name) or not self.inside(here / name / "packet.md")
                        or (js and not self.inside(self.abs(js)))):
                    escapes.add(name)
            for name in sorted(filenames):
                if not (name.startswith("WP-") and name.endswith(".md")):
                    continue
                if here.name.startswith("WP-") and name != "packet.md":
                    continue  # MT-/refinement files inside a folder packet
                rel = f"{rel_here}/{name}" if rel_here != "." else name
                if self._excluded(rel):
                    continue
                wp_id = name[:-3]
                if wp_id in flat:
                    continue  # first packet dir wins
                flat[wp_id] = rel
                # os.walk does not follow linked folders, so only a link
                # itself can lead outside: resolve just those.
                if os.path.islink(here / name) and not self.inside(here / name):
                    escapes.add(wp_id)
        out: dict[str, PacketLocation] = {}
        for wp_id, rel in flat.items():
            if wp_id not in folders:
                out[wp_id] = PacketLocation(wp_id, rel, "file", escapes_repo=wp_id in escapes)
        for wp_id, (rel, js, form, folder) in folders.items():
            sup = (flat[wp_id],) if wp_id in flat else ()
            out[wp_id] = PacketLocation(wp_id, rel, "folder", js, sup, escapes_repo=wp_id in escapes,
                                        form=form, folder=folder)
        return dict(sorted(out.items()))

    def layout_problem(self) -> str | None:
        """Why this layout cannot be validated, naming the config key to
        change: a configured folder that does not exist, packet-file globs
        that match nothing, or no packet at all. None when it is fine.
        A run that found nothing must never read as a pass."""
        for key, configured in (("layout.packets", self.layout.packets), ("layout.spec_dirs", self.layout.spec_dirs)):
            default = DEFAULT_PACKET_DIRS if key == "layout.packets" else DEFAULT_SPEC_DIRS
            if configured == default or not configured:
                continue
            missing = [d for d in configured if not (self.root / d).is_dir()]
            if missing and len(missing) == len(configured):
                return f"{key}: no folder {', '.join(missing)} in the repository (change {key})"
        if self.packets:
            return None
        folders = ", ".join(self.layout.packets or DEFAULT_PACKET_DIRS)
        if self.profile.packet_files:
            files = ", ".join(self.profile.packet_files)
            return (f"no packets found: no file matching {files} whose name matches id pattern "
                    f"'{self.profile.id_pattern}' in {folders} (change layout.packets, layout.packet_files "
                    "or layout.id_pattern)")
        return (f"no packets found: no WP-* packet file or folder in {folders} (change layout.packets, "
                "or layout.packet_files for another naming)")

    def packet(self, wp_id: str) -> PacketLocation:
        check_plain_id(wp_id)
        loc = self.packets.get(wp_id)
        if loc is None:
            close = difflib.get_close_matches(wp_id, list(self.packets), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            where = ", ".join(self.packet_dirs) or "no packet folder found"
            if self.profile.packet_files:
                where += f"; files {', '.join(self.profile.packet_files)} (layout.packet_files)"
            raise UnknownPacketError(f"unknown packet '{wp_id}' (searched {where}){hint}")
        return loc

    # -- specs ---------------------------------------------------------------

    @cached_property
    def spec_files(self) -> tuple[SpecFile, ...]:
        """Master spec files in the spec folders, oldest version first."""
        found: dict[str, SpecFile] = {}
        # Patterns with folders (``v{version}/spec.md``) look that deep.
        depth = max((p.count("/") for p in self.profile.spec_files), default=0)
        for d in self.spec_dirs:
            for name in self._names_below(self.root / d, depth):
                version = self.spec_version_of(name)
                if version and (self.root / d / name).is_file() and self.inside(self.root / d / name):
                    rel = name if d == "." else f"{d}/{name}"
                    found.setdefault(rel, SpecFile(rel, version))
        return tuple(sorted(found.values(), key=lambda s: (version_key(s.version), s.path)))

    @staticmethod
    def _names_below(folder: Path, depth: int) -> list[str]:
        """Entry names in ``folder`` and, ``depth`` levels down, paths below
        it (``v1.3/spec.md``), sorted; hidden folders skipped."""
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        out = list(names)
        if depth > 0:
            for name in names:
                if not name.startswith(".") and (folder / name).is_dir() and not (folder / name).is_symlink():
                    out += [f"{name}/{sub}" for sub in Repo._names_below(folder / name, depth - 1)]
        return out

    def spec_version_of(self, name: str) -> str | None:
        """The version in a spec file's name, by the profile's
        ``spec_files`` patterns (default: ``*Master_Spec_v{version}.md``)."""
        if self.profile.spec_files:
            return self.profile.spec_version_of(name)
        return version_from_spec_filename(name)

    @property
    def spec_file_patterns(self) -> str:
        """The spec file names looked for, as a user would write them."""
        return ", ".join(self.profile.spec_files or ("*Master_Spec_v{version}.md",))

    @cached_property
    def spec_bundles(self) -> tuple[SpecFile, ...]:
        """Indexed spec bundles (``.GOV/spec/master-spec-v02.195/``)."""
        out = []
        for d in self.spec_dirs:
            folder = self.root / d
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                m = _BUNDLE_RE.search(name)
                if m and (folder / name).is_dir():
                    out.append(SpecFile(name if d == "." else f"{d}/{name}", m.group("version")))
        return tuple(sorted(out, key=lambda s: version_key(s.version)))

    def find_spec_file(self, name_or_path: str) -> str | None:
        """Resolve a spec file named by SPEC_CURRENT: a repo-relative path,
        or a bare file name searched in the spec folders."""
        cleaned = name_or_path.strip().strip("`").replace("\\", "/").lstrip("./") if not name_or_path.strip().startswith(".GOV") else name_or_path.strip().strip("`").replace("\\", "/")
        if "/" in cleaned and self.is_file(cleaned):
            return cleaned
        if "/" in cleaned:  # a path below a spec folder (v1.3/spec.md)
            for d in self.spec_dirs:
                rel = cleaned if d == "." else f"{d}/{cleaned}"
                if self.is_file(rel):
                    return rel
        base = cleaned.rsplit("/", 1)[-1]
        for d in self.spec_dirs:
            rel = base if d == "." else f"{d}/{base}"
            if self.is_file(rel):
                return rel
        return None

    def spec_current(self) -> SpecCurrent:
        """Resolve SPEC_CURRENT; raise SpecCurrentError (exit 2) when it is
        missing, names no spec, or names a spec file that does not exist."""
        if self.layout.spec_current == ("latest",):
            return self._latest_as_current()
        paths = self.spec_current_paths
        if not paths:
            looked = ", ".join(self.layout.spec_current or DEFAULT_SPEC_CURRENT)
            raise SpecCurrentError(f"no SPEC_CURRENT found (looked for {looked}; set layout.spec_current, "
                                   "or `latest` when the newest spec file is current)")
        return self.parse_spec_current(paths[0])

    def _latest_as_current(self) -> SpecCurrent:
        """``layout.spec_current: latest``: the newest spec file is current."""
        files = self.spec_files
        if not files:
            dirs = ", ".join(self.layout.spec_dirs or DEFAULT_SPEC_DIRS)
            raise SpecCurrentError(f"layout.spec_current is latest, but no spec file matches {self.spec_file_patterns} "
                                   f"in {dirs} (set layout.spec_files / layout.spec_dirs)")
        newest = files[-1]
        return SpecCurrent(newest.path, newest.path, newest.version, "latest", 1, None, None)

    def compat_spec_currents(self) -> list[SpecCurrent | str]:
        """The other SPEC_CURRENT copies, parsed (or the error text)."""
        out: list[SpecCurrent | str] = []
        for p in self.spec_current_paths[1:]:
            try:
                out.append(self.parse_spec_current(p))
            except SpecCurrentError as exc:
                out.append(str(exc))
        return out

    def parse_spec_current(self, rel_path: str) -> SpecCurrent:
        text = self.read_text(rel_path)
        stripped = text.strip()
        try:
            body = _json_body(stripped)
        except SpecCurrentError as exc:
            raise SpecCurrentError(f"{rel_path}: {exc}") from None
        if body is not None:
            return self._spec_current_json(rel_path, body)
        return self._spec_current_markdown(rel_path, text)

    def _spec_current_markdown(self, rel_path: str, text: str) -> SpecCurrent:
        spec_value = codex = None
        spec_line = 0
        for n, line in enumerate(text.split("\n"), 1):
            m = _BOLD_LINE_RE.match(line)
            if not m:
                continue
            value = m.group("value").strip().strip("`")
            if spec_value is None:
                spec_value, spec_line = value, n
            elif codex is None:
                codex = value
                break
        if spec_value is None:
            # The first pointer line that names a spec wins ("Spec owner: Kim"
            # above "Current: v1.3" is no pointer); none naming one is the
            # first one's error.
            first_error: SpecCurrentError | None = None
            for value, line in _keyed_pointers(text):
                try:
                    return self._spec_current_keyed(rel_path, value, line)
                except SpecCurrentError as exc:
                    first_error = first_error or exc
            if first_error is not None:
                raise first_error
            example = (self.profile.spec_files[0].replace("{version}", "1.3").replace("*", "spec-")
                       if self.profile.spec_files else "Handshake_Master_Spec_v02.93.md")
            raise SpecCurrentError(f"{rel_path}: no pointer found (expected a bold line such as **{example}**, "
                                   f"or a line such as `current: {example}` or `current: v1.3`)")
        version = self.spec_version_of(spec_value)
        if version is None:
            raise SpecCurrentError(f"{rel_path}:{spec_line}: pointer '{spec_value}' names no spec file "
                                   f"(spec files are named {self.spec_file_patterns}; layout.spec_files)")
        spec_file = self.find_spec_file(spec_value)
        if spec_file is None:
            raise SpecCurrentError(f"{rel_path}:{spec_line}: names {spec_value}, which does not exist in the repo")
        return SpecCurrent(rel_path, spec_file, version, "markdown", spec_line, None, codex)

    def _spec_current_keyed(self, rel_path: str, value: str, line: int) -> SpecCurrent:
        """A ``key: value`` pointer (a line, or front matter) naming a spec
        file (``spec: payments-spec-v1.3.md``) or a version, alone or in
        words (``current: v1.3``, ``Current edition: handbook 3.4 (adopted
        in May)``). A file name wins over a bare version."""
        for word in re.findall(r"[\w./-]+", value):
            version = self.spec_version_of(word)
            if version is not None:
                spec_file = self.find_spec_file(word)
                if spec_file is None:
                    raise SpecCurrentError(f"{rel_path}:{line}: names {word}, which does not exist in the repo")
                return SpecCurrent(rel_path, spec_file, version, "markdown", line, None, None)
        m = re.search(r"(?<![\w.])v?(\d{1,4}(?:\.\d{1,4})+)(?![\w]|\.\d)", value, re.IGNORECASE)
        if m is None:
            raise SpecCurrentError(f"{rel_path}:{line}: pointer '{value[:80]}' names no spec file or version "
                                   f"(spec files are named {self.spec_file_patterns}; layout.spec_files)")
        version = m.group(1)
        for sf in self.spec_files:
            if version_key(sf.version) == version_key(version):
                return SpecCurrent(rel_path, sf.path, sf.version, "markdown", line, None, None)
        raise SpecCurrentError(f"{rel_path}:{line}: names version {version}, but no spec file of that version "
                               f"matches {self.spec_file_patterns} in the spec folders (layout.spec_dirs, layout.spec_files)")

    def _spec_current_json(self, rel_path: str, doc: dict) -> SpecCurrent:
        current = doc.get("current_spec")
        if not isinstance(current, dict) or not current.get("version"):
            raise SpecCurrentError(f"{rel_path}: JSON pointer has no current_spec.version")
        try:
            version = normalize_version(str(current["version"]))
        except ValueError:
            raise SpecCurrentError(f"{rel_path}: current_spec.version '{current['version']}' is not a spec version") from None
        candidates = [current.get("entrypoint_path"), doc.get("entrypoint_path"), current.get("source_baseline_path"), doc.get("source_baseline_path")]
        named = [str(c) for c in candidates if c]
        if not named:
            raise SpecCurrentError(f"{rel_path}: JSON pointer names no spec file (entrypoint_path / source_baseline_path)")
        for c in named:
            rel = c.replace("\\", "/").lstrip("/")
            if self.exists(rel):
                bundle = None
                parts = rel.split("/")
                for k in range(len(parts), 0, -1):
                    if _BUNDLE_RE.search(parts[k - 1]):
                        bundle = "/".join(parts[:k])
                        break
                return SpecCurrent(rel_path, rel, version, "json", 1, bundle, None)
        raise SpecCurrentError(f"{rel_path}: names {named[0]}, which does not exist in the repo")

    def latest_spec_version(self) -> SpecFile | None:
        candidates = list(self.spec_files) + list(self.spec_bundles)
        if not candidates:
            return None
        return max(candidates, key=lambda s: version_key(s.version))

    def spec_text_bytes(self, spec: SpecCurrent) -> bytes:
        """The text of the current spec. For an indexed bundle, its modules
        (``spec-modules/*.md``) in order, front matter removed."""
        if spec.bundle:
            text = self.bundle_text_bytes(spec.bundle)
            if text is not None:
                return text
        return self.read_bytes(spec.spec_file)

    def bundle_text_bytes(self, bundle: str) -> bytes | None:
        """A bundle's ``spec-modules/*.md`` joined in name order, front
        matter removed; None when the bundle holds no modules."""
        self.record(f"{bundle}/spec-modules")
        known = self._bundle_texts.get(bundle)
        if known is not None:
            paths, text = known
            for path in paths:
                self.read_bytes(path)  # memoised: only records the dependency
            return text
        modules = self.root / bundle / "spec-modules"
        if not modules.is_dir():
            self._bundle_texts[bundle] = ((), None)
            return None
        paths = tuple(self.rel(p) for p in sorted(modules.glob("*.md")) if self.inside(p))
        chunks = [_closed_fences(_strip_front_matter(self.read_bytes(path))) for path in paths]
        text = b"\n".join(chunks) if chunks else None
        self._bundle_texts[bundle] = (paths, text)
        return text

    # -- configuration files ------------------------------------------------------

    def config_sources(self) -> Sequence[str]:
        return [p for p in ("govcheck.yaml", ".govcheck.yaml", "pyproject.toml") if self.is_file(p)]


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_regular_file(path: Path, shown_as: str) -> bytes:
    """The bytes of a regular file; RepoError for anything else. A FIFO, a
    device or a socket is refused without blocking: opened with O_NONBLOCK
    (a FIFO with no writer would otherwise block the open forever) and
    checked with fstat before a byte is read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except (OSError, ValueError) as exc:
        raise RepoError(f"{shown_as}: cannot read ({_reason(exc)})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RepoError(f"{shown_as}: not a regular file ({_file_kind(mode)}); refused")
        if _NONBLOCK:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise RepoError(f"{shown_as}: cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


def _json_body(text: str) -> dict | None:
    """The JSON object in a SPEC_CURRENT.md, bare or in a ```json fence."""
    candidate = text
    if candidate.startswith("```"):
        candidate = candidate.split("\n", 1)[1] if "\n" in candidate else ""
        candidate = candidate.rsplit("```", 1)[0]
    candidate = candidate.strip()
    if not candidate.startswith("{"):
        m = re.search(r"```json\s*\n(\{.*?\})\s*\n```", text, re.S)
        if not m:
            return None
        candidate = m.group(1)
    try:
        doc = json.loads(candidate)
    except ValueError:
        return None
    except RecursionError:
        # The stdlib decoder recurses per nesting level: no pointer is that deep.
        raise SpecCurrentError("JSON nested too deeply") from None
    return doc if isinstance(doc, dict) else None


# ``current: v1.3`` / ``spec: payments-spec-v1.3.md`` / ``version = "1.3"``
# (TOML front matter): a pointer key and what it names.
# The key: up to four words, one of them saying what the line points at
# ("current", "Current edition", "spec_version", "latest spec").
_KEYED_POINTER_RE = re.compile(
    r"^\s*(?:[-*]\s+)?\**(?P<key>(?:[\w-]+[ _]){0,3}[\w-]+)\**\s*[:=]\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_POINTER_KEY_WORDS = frozenset({"current", "latest", "spec", "version", "edition", "file", "path", "release"})


def _keyed_pointers(text: str) -> Iterator[tuple[str, int]]:
    """The value and line of every pointer-like ``key: value`` line of a
    SPEC_CURRENT file, in order."""
    for n, line in enumerate(text.split("\n"), 1):
        m = _KEYED_POINTER_RE.match(line)
        if m and _POINTER_KEY_WORDS & set(re.split(r"[ _-]+", m.group("key").lower())):
            value = m.group("value").replace("**", "").strip().strip("`'\"").strip()
            if value:
                yield value, n


def _digest(data: bytes) -> str:
    return "file:" + hashlib.sha256(data).hexdigest()


def _closed_fences(module: bytes) -> bytes:
    """A bundle module with a fence it leaves open closed at its end: read
    as its own file, the fence ends there (see parse.spec.fence_open_at_end)."""
    marker = fence_open_at_end(module)
    if marker is None:
        return module
    return module + (b"" if module.endswith(b"\n") else b"\n") + marker


def _strip_front_matter(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(b"---\n") or data.startswith(b"---\r\n"):
        end = data.find(b"\n---", 4)
        if end != -1:
            nl = data.find(b"\n", end + 4)
            return data[nl + 1 :] if nl != -1 else b""
    return data
