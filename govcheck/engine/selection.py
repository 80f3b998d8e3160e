"""What a pull request touches, and which packets that affects.

``govcheck ci`` validates the packets changed between the merge base and
HEAD, plus every packet a change elsewhere affects: SPEC_CURRENT or the
config (every packet is judged again), a spec file (packets anchored to
that version, and to the current one), the task board (packets named on
the lines that changed). Deleted packets are reported, not validated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from govcheck.analysis.anchoring import anchored_version
from govcheck.cache.parse import ParseCache
from govcheck.engine.loader import load_packet
from govcheck.errors import GovcheckError, UsageError
from govcheck.parse.versions import version_from_spec_filename, version_key
from govcheck.repo.git import Git
from govcheck.repo.repository import PacketLocation, Repo

_ID_RE = re.compile(r"\bWP-[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class ChangeSet:
    base: str  # the merge-base commit
    head: str
    packets: dict[str, str] = field(default_factory=dict)  # id -> why it is validated
    deleted: tuple[tuple[str, str], ...] = ()  # (id, path) of deleted packets
    all_packets_reason: str | None = None  # set when every packet is affected
    spec_versions: tuple[str, ...] = ()  # versions of changed spec files

    def notes(self) -> tuple[str, ...]:
        out = [f"Changes: {self.base[:12]}..{self.head[:12]}"]
        if self.all_packets_reason:
            out.append(f"All packets validated: {self.all_packets_reason}")
        for wp_id, why in sorted(self.packets.items()):
            out.append(f"{wp_id}: {why}")
        for wp_id, path in self.deleted:
            out.append(f"{wp_id}: deleted ({path})")
        return tuple(out)


def git(root: Path, *args: str) -> str:
    return Git(root).text(*args)


def default_base(root: Path) -> str:
    """The default branch to compare with: origin's HEAD, else main/master."""
    try:
        ref = git(root, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
        if ref:
            return ref.removeprefix("refs/remotes/")
    except GovcheckError:
        pass
    for cand in ("origin/main", "origin/master", "main", "master"):
        try:
            git(root, "rev-parse", "--verify", "--quiet", cand + "^{commit}")
            return cand
        except GovcheckError:
            continue
    raise UsageError("cannot find the default branch (no origin/HEAD, main or master); pass --base REF")


def packet_id_of(path: str, packet_dirs: tuple[str, ...]) -> str | None:
    """The packet a repo-relative path belongs to (flat file or folder), if any."""
    for d in packet_dirs:
        prefix = d.rstrip("/") + "/"
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):]
        first = rest.split("/", 1)[0]
        if first in ("stubs", "templates", "_archive"):
            return None
        if "/" not in rest and first.startswith("WP-") and first.endswith(".md"):
            return first[:-3]
        if "/" in rest and first.startswith("WP-"):
            return first
    return None


def compute(repo: Repo, base: str | None, head: str | None, config_sources: tuple[str, ...]) -> ChangeSet:
    root = repo.root
    if not (root / ".git").exists():
        try:
            git(root, "rev-parse", "--git-dir")
        except GovcheckError:
            raise UsageError(f"{root} is not a git repository: govcheck ci compares commits") from None
    head_ref = head or "HEAD"
    base_ref = base or default_base(root)
    try:
        merge_base = git(root, "merge-base", base_ref, head_ref).strip()
        head_sha = git(root, "rev-parse", head_ref + "^{commit}").strip()
    except GovcheckError as exc:
        raise UsageError(f"--base {base_ref} / --head {head_ref}: {exc}") from None
    # --relative: paths relative to the governance repo's root (git -C runs
    # there), and only changes inside it, when it is a subfolder of the
    # git workspace (a monorepo); at the workspace root it changes nothing.
    raw = git(root, "diff", "--name-status", "--relative", "-M", "-z", merge_base, head_sha)
    parts = raw.split("\0")
    changes: list[tuple[str, str, str | None]] = []  # (status, path, old path)
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            changes.append((status[0], parts[i + 2], parts[i + 1]))
            i += 3
        else:
            changes.append((status[0], parts[i + 1], None))
            i += 2

    dirs = repo.packet_dirs
    packets: dict[str, str] = {}
    deleted: list[tuple[str, str]] = []
    all_reason: str | None = None
    spec_versions: list[str] = []
    spec_current_paths = set(repo.spec_current_paths)
    board = repo.task_board_path
    for status, path, old in changes:
        wp = packet_id_of(path, dirs)
        if wp is not None:
            if status == "D":
                if wp not in repo.packets:
                    deleted.append((wp, path))
            else:
                what = {"A": "added", "M": "modified", "R": f"renamed from {old}", "C": "copied"}.get(status, "changed")
                packets.setdefault(wp, f"packet {what} ({path})")
            continue
        if path in spec_current_paths:
            all_reason = f"SPEC_CURRENT changed ({path})"
        elif path in config_sources:
            all_reason = all_reason or f"configuration changed ({path})"
        elif version_from_spec_filename(path.rsplit("/", 1)[-1]) or "/master-spec-v" in f"/{path}":
            v = version_from_spec_filename(path.rsplit("/", 1)[-1])
            if v:
                spec_versions.append(v)
            else:
                all_reason = all_reason or f"spec bundle changed ({path})"
        elif board and path == board:
            diff = git(root, "diff", "--relative", "-U0", merge_base, head_sha, "--", path)
            for line in diff.splitlines():
                if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
                    for wp_id in _ID_RE.findall(line):
                        if wp_id in repo.packets:
                            packets.setdefault(wp_id, f"task board entry changed ({path})")
    return ChangeSet(merge_base, head_sha, packets, tuple(deleted), all_reason, tuple(dict.fromkeys(spec_versions)))


def packets_for_files(repo: Repo, files: list[Path], cwd: Path) -> list[str]:
    """The packets (ids, in the order first named) that these files belong
    to; files outside the repo or in no packet are ignored."""
    ids: list[str] = []
    for f in files:
        p = f if f.is_absolute() else cwd / f
        try:
            rel = p.resolve().relative_to(repo.root).as_posix()
        except ValueError:
            continue
        wp_id = packet_id_of(rel, repo.packet_dirs)
        if wp_id and wp_id in repo.packets and wp_id not in ids:
            ids.append(wp_id)
    return ids


def select_packets(repo: Repo, packet_ids: tuple[str, ...], all_packets: bool) -> list[PacketLocation]:
    """The packets named on the command line, or every packet with --all."""
    if all_packets:
        if packet_ids:
            raise UsageError("give packet ids or --all, not both")
        return list(repo.packets.values())
    if not packet_ids:
        raise UsageError("name at least one packet id (e.g. govcheck validate WP-1-Storage-Foundation) or use --all")
    seen: dict[str, PacketLocation] = {}
    for wp_id in packet_ids:
        seen.setdefault(wp_id, repo.packet(wp_id))
    return list(seen.values())


def select_changed(repo: Repo, base: str | None, head: str | None,
                   cache: ParseCache | None = None) -> tuple[ChangeSet, list[PacketLocation]]:
    """govcheck ci: the packets a change touches or affects, and why."""
    change = compute(repo, base, head, tuple(repo.config_sources()))
    current = repo.spec_current().version
    reasons = dict(change.packets)
    if change.all_packets_reason is None and change.spec_versions:
        changed = {version_key(v) for v in change.spec_versions}
        if version_key(current) in changed:
            change = replace(change, all_packets_reason=f"the current spec v{current} changed")
        else:
            for wp_id, loc in repo.packets.items():
                anchoring = anchored_version(load_packet(repo, loc, cache))
                if anchoring and version_key(anchoring.version) in changed:
                    reasons.setdefault(wp_id, f"anchored to v{anchoring.version}, whose spec file changed")
    if change.all_packets_reason:
        locations = list(repo.packets.values())
    else:
        locations = [repo.packets[i] for i in sorted(reasons) if i in repo.packets]
    return replace(change, packets=reasons), locations
