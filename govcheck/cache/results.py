"""Per-packet result cache: an unchanged packet in an unchanged repo is not
checked again.

A packet's findings depend on more than its own bytes: the spec texts, the
configuration, today's date (waiver expiry), the files its evidence points
at, the folders its scans walk. So each cached result records, besides a
key over the packet's bytes and everything run-wide (govcheck code,
config, every spec file, the layout, the list of packets, git refs, the
date, the command results), the fingerprint of every repo path its rules
looked at: a sha256 of the bytes they read (``Repo.fingerprint``, taken
at read time, so an edit during the run or one that puts size and mtime
back is seen next run), or of a folder's entries. The result is reused
only when all of those still match; a rule that reads something it cannot
record (a glob) makes the result single-use.

Stored with the result is a slim copy of the packet: what reports, repo
rules and ``--append`` read (id, path, hashes, status, risk tier, format
version, TEST_PLAN, recorded evidence, earlier reports). Entries are data
only and authenticated (``cache.store``): the entry repeats its key, and
a forged, planted or foreign entry is a miss; anything unreadable is
ignored and rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from govcheck.cache import codec
from govcheck.cache.fingerprint import code_fingerprint
from govcheck.cache.state import CACHE_OWNED_PARTS
from govcheck.cache.store import EntryStore
from govcheck.model import Command, CommandResult, CriterionStatus, Finding, Packet, Scope
from govcheck.repo.repository import UNRECORDABLE

FORMAT = 2

# Old spec texts may come from history: any new commit or ref moves these.
_GIT_FILES = (".git/HEAD", ".git/packed-refs")
_GIT_REF_DIRS = (".git/refs/heads", ".git/refs/tags")


def _git_state(repo) -> list[str]:
    """Fingerprints of HEAD, packed-refs and every loose branch and tag ref
    (a commit rewrites a ref file, leaving its folder's entries as they were)."""
    out = [repo.fingerprint(p) for p in _GIT_FILES]
    for top in _GIT_REF_DIRS:
        for dirpath, dirnames, filenames in os.walk(repo.abs(top), followlinks=False):
            dirnames.sort()
            for name in sorted(filenames):
                rel = repo.rel(Path(dirpath) / name)
                out.append(f"{rel}={repo.fingerprint(rel)}")
    return out


def run_key(repo, config, spec_current, today, spec_bytes: bytes) -> str:
    """Everything run-wide a packet's findings may depend on."""
    h = hashlib.sha256()

    def add(*parts: Any) -> None:
        h.update(json.dumps(parts, default=str, sort_keys=True).encode("utf-8"))
        h.update(b"\0")

    add("govcheck", code_fingerprint(), FORMAT, str(repo.root))
    add("config", config.sha256)
    add("today", today.isoformat())
    add("spec-current", spec_current.path, spec_current.spec_file, spec_current.version,
        hashlib.sha256(spec_bytes).hexdigest())
    for sf in list(repo.spec_files) + list(repo.spec_bundles):
        add("spec", sf.path, sf.version, repo.fingerprint(sf.path))
    add("layout", repo.packet_dirs, repo.spec_dirs, repo.task_board_path, repo.traceability_path,
        repo.refinement_dirs, repo.spec_current_paths)
    add("packets", sorted((i, loc.path, loc.superseded) for i, loc in repo.packets.items()))
    add("git", _git_state(repo))
    return h.hexdigest()


@dataclasses.dataclass(frozen=True)
class CachedResult:
    findings: tuple[Finding, ...]
    criteria: tuple[CriterionStatus, ...]
    spec_version: str | None
    spec_basis: str | None
    spec_basis_line: int | None
    packet: Packet  # slim


def slim(packet: Packet) -> Packet:
    """The parts of a packet a finished result still needs (its anchors
    too: the report's coverage data and the dashboard draw them)."""
    tp = packet.test_plan
    return dataclasses.replace(
        packet,
        fields=(), sections=(), fences=(), spec_refs=(), waivers=(), evidence_mappings=(),
        scope=Scope(), done_means=None, bootstrap=None, rollback_hint=None,
        test_plan=None if tp is None else dataclasses.replace(tp, blocks=(), prose=(),
                                                               commands=tuple(Command(c.text, c.line) for c in tp.commands)),
        decode_issues=(), parse_issues=(),
    )


@dataclasses.dataclass(frozen=True)
class _Entry:
    """What a results-cache file holds: its own key (so a copy under
    another key is refused), the fingerprint of every path the rules read,
    and the result."""

    key: str
    deps: tuple[tuple[str, str], ...]
    result: CachedResult


class ResultCache:
    def __init__(self, folder: Path, repo, run_key: str) -> None:
        self.folder = folder
        self.repo = repo
        self.run_key = run_key
        self.hits = 0
        try:
            self._store: EntryStore | None = EntryStore(Path(folder), CACHE_OWNED_PARTS, "results")
        except ValueError:
            self._store = None

    def _key(self, packet_id: str, path: str, packet_sha: str, commands: Iterable[CommandResult]) -> str:
        cmd = [(c.command, c.status, c.exit_code, c.log_sha256) for c in commands]
        raw = json.dumps([self.run_key, packet_id, path, packet_sha, cmd], default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def get(self, packet_id: str, path: str, packet_sha: str, commands=()) -> CachedResult | None:
        if self._store is None:
            return None
        key = self._key(packet_id, path, packet_sha, commands)
        payload = self._store.get(key)
        if payload is None:
            return None
        try:
            entry = codec.decode(payload, _Entry)
        except codec.DecodeError:  # damaged, or written by other code: a miss
            return None
        if entry.key != key:
            return None
        fingerprint = self.repo.fingerprint
        for dep, state in entry.deps:
            if dep == UNRECORDABLE or fingerprint(dep) != state:
                return None
        self.hits += 1
        return entry.result

    def put(self, packet_id: str, path: str, packet_sha: str, commands, recorded: Mapping[str, str] | None,
            result: CachedResult) -> None:
        if self._store is None or recorded is None or UNRECORDABLE in recorded:
            return
        key = self._key(packet_id, path, packet_sha, commands)
        try:
            payload = codec.encode(_Entry(key, tuple(sorted(recorded.items())), result))
        except (TypeError, ValueError):  # a value the codec cannot hold: no cache
            return
        self._store.put(key, payload)
