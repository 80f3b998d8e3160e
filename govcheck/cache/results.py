"""Per-packet result cache: an unchanged packet in an unchanged repo is not
checked again.

A packet's findings depend on more than its own bytes: the spec texts, the
configuration, today's date (waiver expiry), the files its evidence points
at, the folders its scans walk. So each cached result records, besides a
key over the packet's bytes and everything run-wide (govcheck version,
config, every spec file, the layout, the list of packets, git refs, the
date, the command results), the state (size, mtime) of every repo path its
rules looked at (``Repo`` records them while the rules run). The result is
reused only when all of those still match; a rule that reads something it
cannot record (a glob) makes the result single-use.

Stored with the result is a slim copy of the packet: what reports, repo
rules and ``--append`` read (id, path, hashes, status, risk tier, format
version, TEST_PLAN, recorded evidence, earlier reports). Entries are
written atomically; anything unreadable is ignored and rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Iterable

from govcheck.cache.fingerprint import code_fingerprint
from govcheck.model import Command, CommandResult, CriterionStatus, Finding, Packet, Scope

FORMAT = 1


def _stat(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_mode >> 12)


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
        add("spec", sf.path, sf.version, _stat(repo.abs(sf.path)))
    add("layout", repo.packet_dirs, repo.spec_dirs, repo.task_board_path, repo.traceability_path,
        repo.refinement_dirs, repo.spec_current_paths)
    add("packets", sorted((i, loc.path, loc.superseded) for i, loc in repo.packets.items()))
    git = repo.root / ".git"
    # Old spec texts may come from history: any new commit or ref moves these.
    add("git", _stat(git / "HEAD"), _stat(git / "packed-refs"), _stat(git / "refs" / "heads"),
        _stat(git / "refs" / "tags"))
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
    """The parts of a packet a finished result still needs."""
    tp = packet.test_plan
    return dataclasses.replace(
        packet,
        fields=(), sections=(), fences=(), spec_refs=(), anchors=(), waivers=(), evidence_mappings=(),
        scope=Scope(), done_means=None, bootstrap=None, rollback_hint=None,
        test_plan=None if tp is None else dataclasses.replace(tp, blocks=(), prose=(),
                                                               commands=tuple(Command(c.text, c.line) for c in tp.commands)),
        decode_issues=(), parse_issues=(),
    )


class ResultCache:
    def __init__(self, folder: Path, repo, run_key: str) -> None:
        self.folder = folder
        self.repo = repo
        self.run_key = run_key
        self.hits = 0

    def _key(self, packet_id: str, path: str, packet_sha: str, commands: Iterable[CommandResult]) -> str:
        cmd = [(c.command, c.status, c.exit_code, c.log_sha256) for c in commands]
        raw = json.dumps([self.run_key, packet_id, path, packet_sha, cmd], default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def _abs(self, dep: str) -> Path:
        p = Path(dep)
        return p if p.is_absolute() else self.repo.abs(dep)

    def get(self, packet_id: str, path: str, packet_sha: str, commands=()) -> CachedResult | None:
        try:
            with open(self._file(self._key(packet_id, path, packet_sha, commands)), "rb") as fh:
                deps, result = pickle.load(fh)
        except Exception:  # missing, truncated, from another version: a miss
            return None
        if not isinstance(result, CachedResult):
            return None
        for dep, state in deps:
            if _stat(self._abs(dep)) != state:
                return None
        self.hits += 1
        return result

    def put(self, packet_id: str, path: str, packet_sha: str, commands, recorded: set[str] | None,
            result: CachedResult) -> None:
        if recorded is None or "\0unrecordable" in recorded:
            return
        deps = sorted((dep, _stat(self._abs(dep))) for dep in recorded)
        target = self._file(self._key(packet_id, path, packet_sha, commands))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump((deps, result), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except Exception:  # unwritable folder, disk full, unpicklable: no cache
            return
