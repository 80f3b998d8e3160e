"""What a pull request touches, and which packets that affects.

``govcheck ci`` validates the packets changed between the merge base and
HEAD, plus every packet a change elsewhere affects: SPEC_CURRENT or the
config (every packet is judged again), a spec file (packets anchored to
that version, and to the current one), the task board (packets named on
the lines that changed). Deleted packets are reported, not validated.

The pull request under review is not trusted to judge itself: ci reads
the config and the baseline as they are at the merge base
(:func:`judging_at_base`), and a change to either is reported for review
(rule ``gate-changed``). A range with nothing in it, or a change that
selects no packet, is said loudly rather than passed silently.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from govcheck.analysis.anchoring import anchored_version
from govcheck.cache.parse import ParseCache
from govcheck.engine import baseline as baselines
from govcheck.engine.loader import load_packet
from govcheck.errors import ConfigError, GovcheckError, UsageError
from govcheck.parse.report_markers import appended_reports
from govcheck.parse.versions import version_key
from govcheck.repo.config import (
    Config,
    config_fingerprint,
    disk_reader,
    git_reader,
    load_config,
    read_at_commit,
    read_repo_file,
)
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
    gate_changes: tuple[GateChange, ...] = ()  # config / baseline edited by the change
    judging_notes: tuple[str, ...] = ()  # what the change is judged with
    files_changed: int = 0
    # (id, path, reports missing, line at the base of the first one): reports
    # --append wrote that the merge base's packet holds and HEAD's lacks.
    removed_reports: tuple[tuple[str, str, int, int], ...] = ()

    def notes(self) -> tuple[str, ...]:
        out = [f"Changes: {self.base[:12]}..{self.head[:12]}"]
        out.extend(self.judging_notes)
        if self.all_packets_reason:
            out.append(f"All packets validated: {self.all_packets_reason}")
        for wp_id, why in sorted(self.packets.items()):
            out.append(f"{wp_id}: {why}")
        for wp_id, path in self.deleted:
            out.append(f"{wp_id}: deleted ({path})")
        if not self.packets and not self.deleted and not self.all_packets_reason:
            out.append(f"Nothing validated: the {self.files_changed} changed file(s) touch no packet, spec, "
                       "SPEC_CURRENT or task board entry (allowed by --allow-empty)")
        return tuple(out)


@dataclass(frozen=True)
class GateChange:
    """The change under review edits what judges it: the config or the baseline."""

    kind: str  # "config" | "baseline"
    path: str  # repo-relative, as at HEAD (else as at the base)
    base_sha256: str | None  # None: absent at the base
    head_sha256: str | None  # None: absent in the working tree
    allowed: bool  # the base config's ci.allow_config_changes
    detail: str = ""  # what else is known (the change's config does not load ...)


@dataclass(frozen=True)
class Judging:
    """What ``govcheck ci`` judges the change with: the merge base's config
    and baseline, and how the change differs from them."""

    commit: str
    config: Config
    baseline: baselines.Baseline | None
    changes: tuple[GateChange, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Range:
    base_ref: str  # as given (or the default branch found)
    merge_base: str
    head: str


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


_SHALLOW_HINT = ("this is a shallow clone: fetch the full history (actions/checkout: 'fetch-depth: 0'; "
                 "elsewhere 'git fetch --unshallow')")


def _is_shallow(root: Path) -> bool:
    out = Git(root).output("rev-parse", "--is-shallow-repository")
    return out is not None and out.strip() == b"true"


def resolve_range(root: Path, base: str | None, head: str | None, allow_empty: bool = False) -> Range:
    """The merge base and the head commit a ci run compares. An empty range
    (the base is HEAD itself, as when origin/HEAD is the checked-out branch)
    is a usage error unless ``allow_empty``: a gate that compares HEAD with
    itself validates nothing and would pass every change."""
    if not (root / ".git").exists():
        try:
            git(root, "rev-parse", "--git-dir")
        except GovcheckError:
            raise UsageError(f"{root} is not a git repository: govcheck ci compares commits") from None
    head_ref = head or "HEAD"
    base_ref = base or default_base(root)
    try:
        head_sha = git(root, "rev-parse", "--verify", "--end-of-options", head_ref + "^{commit}").strip()
        base_sha = git(root, "rev-parse", "--verify", "--end-of-options", base_ref + "^{commit}").strip()
        merge_base = git(root, "merge-base", base_sha, head_sha).strip()
    except GovcheckError as exc:
        hint = f"; {_SHALLOW_HINT}" if _is_shallow(root) else ""
        raise UsageError(f"--base {base_ref} / --head {head_ref}: {exc}{hint}") from None
    if merge_base == head_sha and not allow_empty:
        same = "is HEAD itself" if base_sha == head_sha else "contains HEAD (nothing to compare)"
        hint = f"; {_SHALLOW_HINT}" if _is_shallow(root) else ""
        raise UsageError(
            f"nothing to compare: base {base_ref} ({base_sha[:12]}) {same}, so the change is empty; "
            f"pass --base REF naming the target branch, or --allow-empty to accept an empty check{hint}"
        )
    return Range(base_ref, merge_base, head_sha)


def compute(repo: Repo, base: str | None, head: str | None, config_sources: tuple[str, ...],
            allow_empty: bool = True) -> ChangeSet:
    root = repo.root
    span = resolve_range(root, base, head, allow_empty)
    merge_base, head_sha = span.merge_base, span.head
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
        wp = repo.packet_id_for_path(path) if repo.profile.packet_files else packet_id_of(path, dirs)
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
        elif repo.spec_version_of(path.rsplit("/", 1)[-1]) or "/master-spec-v" in f"/{path}":
            v = repo.spec_version_of(path.rsplit("/", 1)[-1])
            if v:
                spec_versions.append(v)
            else:
                all_reason = all_reason or f"spec bundle changed ({path})"
        elif board and path == board:
            diff = git(root, "diff", "--relative", "-U0", merge_base, head_sha, "--", path)
            for line in diff.splitlines():
                if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
                    for wp_id in _ID_RE.findall(line):  # the reference's board (handshake profile)
                        if wp_id in repo.packets:
                            packets.setdefault(wp_id, f"task board entry changed ({path})")
    removed = tuple(r for status, path, old in changes if status in ("M", "R")
                    for r in _removed_reports(repo, merge_base, path, old or path))
    return ChangeSet(merge_base, head_sha, packets, tuple(deleted), all_reason, tuple(dict.fromkeys(spec_versions)),
                     files_changed=len(changes), removed_reports=removed)


def _removed_reports(repo: Repo, merge_base: str, path: str, base_path: str) -> list[tuple[str, str, int, int]]:
    """Reports --append wrote into the packet at the merge base (intact
    there) that the working tree's packet no longer holds in any form."""
    wp_id = packet_id_of(path, repo.packet_dirs)
    if wp_id is None or not path.endswith(".md"):
        return []
    before = Git(repo.root).output("show", f"{merge_base}:{base_path}")
    if not before or b"govcheck:report" not in before:
        return []
    try:
        now = repo.read_bytes(path)
    except GovcheckError:
        return []  # unreadable now: packet-unreadable says so
    kept = {r.body_sha256 for r in appended_reports(now)}
    gone = [r for r in appended_reports(before) if r.prior_ok and r.body_ok and r.body_sha256 not in kept]
    return [(wp_id, path, len(gone), gone[0].line)] if gone else []


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
        problem = repo.layout_problem()
        if problem is not None:
            raise UsageError(problem)
        return list(repo.packets.values())
    if not packet_ids:
        raise UsageError("name at least one packet id (e.g. govcheck validate WP-1-Storage-Foundation) or use --all")
    seen: dict[str, PacketLocation] = {}
    for wp_id in packet_ids:
        seen.setdefault(wp_id, repo.packet(wp_id))
    return list(seen.values())


def select_changed(repo: Repo, base: str | None, head: str | None, cache: ParseCache | None = None,
                   judging: Judging | None = None, allow_empty: bool = True) -> tuple[ChangeSet, list[PacketLocation]]:
    """govcheck ci: the packets a change touches or affects, and why. With
    ``allow_empty`` False, a change that selects nothing (no packet to
    validate, none deleted) is a usage error: silence is no verdict."""
    change = compute(repo, base, head, tuple(repo.config_sources()), allow_empty)
    if judging is not None:
        change = replace(change, gate_changes=judging.changes, judging_notes=judging.notes)
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
    if not locations and not change.deleted and not change.gate_changes and not allow_empty:
        why = (f"every packet was to be validated ({change.all_packets_reason}) but the repo has none"
               if change.all_packets_reason else
               f"the {change.files_changed} changed file(s) between {change.base[:12]} and {change.head[:12]} "
               "touch no packet, spec, SPEC_CURRENT or task board entry")
        raise UsageError(f"nothing to validate: {why}; pass --allow-empty when that is expected")
    return replace(change, packets=reasons), locations


def judging_at_base(root: Path, merge_base: str, known_rules, baseline_file: str | None,
                    no_baseline: bool) -> Judging:
    """The config and baseline of the merge base, which judge the change,
    and each difference from the working tree's (a GateChange). A baseline
    named on the command line is the operator's and is used as given."""
    at = merge_base[:12]
    try:
        config = load_config(root, known_rules, read=git_reader(root, merge_base))
    except ConfigError as exc:
        raise ConfigError(f"the config at the merge base {at}: {exc}") from None
    allowed = config.ci.allow_config_changes
    changes: list[GateChange] = []
    notes = [f"Judged with the config of the merge base {at} "
             f"({config.source or 'none: defaults'}{', sha256 ' + config.sha256[:12] if config.sha256 else ''})"]

    base_cfg = config_fingerprint(git_reader(root, merge_base))
    try:
        head_cfg = config_fingerprint(disk_reader(root))
        head_problem = ""
    except ConfigError as exc:  # a link out of the repo, a FIFO ...: not read, and reported
        head_cfg, head_problem = ("?", "unreadable"), str(exc)
    if base_cfg != head_cfg:
        detail = head_problem
        if not detail and head_cfg is not None:
            try:
                load_config(root, known_rules)
            except ConfigError as exc:
                detail = f"the change's config does not load: {exc}"
        path = (head_cfg or base_cfg or ("govcheck.yaml", ""))[0]
        changes.append(GateChange("config", path, base_cfg[1] if base_cfg else None,
                                  head_cfg[1] if head_cfg else None, allowed, detail))
        notes.append(f"The change's config ({_sha_or_absent(head_cfg)}) differs from the base's "
                     f"({_sha_or_absent(base_cfg)}): not applied")

    if no_baseline:
        return Judging(merge_base, config, None, tuple(changes), tuple(notes))
    if baseline_file is not None:
        baseline = baselines.load_configured(root, baseline_file, None)
        notes.append(f"Baseline from the command line: {baseline_file}")
        return Judging(merge_base, config, baseline, tuple(changes), tuple(notes))
    name = config.baseline or baselines.DEFAULT_FILE
    baseline = baselines.load_at_commit(root, merge_base, config.baseline)
    base_data = read_at_commit(root, merge_base, name, name)
    try:
        head_data = read_repo_file(root, name, name)
        head_problem = ""
    except ConfigError as exc:
        head_data, head_problem = b"\0unreadable", str(exc)
    if base_data != head_data:
        changes.append(GateChange("baseline", name, _sha(base_data), _sha(head_data), allowed, head_problem))
        notes.append(f"The change's baseline {name} ({_sha_or_absent(('', _sha(head_data)) if head_data is not None else None)}) "
                     f"differs from the base's ({_sha_or_absent(('', _sha(base_data)) if base_data is not None else None)}): not applied")
    if baseline is not None:
        notes.append(f"Judged with the baseline of the merge base {at} ({name})")
    return Judging(merge_base, config, baseline, tuple(changes), tuple(notes))


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _sha_or_absent(fp: tuple[str, str | None] | None) -> str:
    if fp is None or fp[1] is None:
        return "absent"
    return f"sha256 {fp[1][:12]}"
