"""Run the TEST_PLANs of many packets: packets in parallel (``-j``), each
packet's commands in order, results per packet so output never interleaves.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Mapping, Sequence

from govcheck.cache.fingerprint import code_fingerprint
from govcheck.cache.runs import RunCache, repo_state
from govcheck.model import CommandResult, Packet
from govcheck.repo.config import Config
from govcheck.run.cacheguard import CacheGuard
from govcheck.run.options import RunOptions
from govcheck.run.runner import RunPolicy, run_commands

_PLACEHOLDER_VALUE_RE = re.compile(r"\{\{|^<[^>]*>$|^\s*$")


def placeholder_values(packet: Packet) -> dict[str, str]:
    """Values a TEST_PLAN's ``{{NAME}}`` may take: the packet's own fields
    (``{{MERGE_BASE_SHA}}`` from its MERGE_BASE_SHA field), never a value
    that is itself still a placeholder."""
    values: dict[str, str] = {}
    for f in packet.fields:
        v = (f.value or "").strip().strip("`")
        v = v.split(" (", 1)[0].strip()  # "abc123 (git merge-base ...)" -> "abc123"
        if f.name not in values and v and not _PLACEHOLDER_VALUE_RE.search(v):
            values[f.name] = v
    values["WP_ID"] = packet.id
    values.setdefault("TASK_ID", packet.id)
    return values


def policy_for(packet: Packet, config: Config, options: RunOptions) -> RunPolicy:
    timeout = options.timeout
    if timeout is None:
        tier = (packet.risk_tier.value if packet.risk_tier else "").strip().upper().split(" ")[0]
        risk = getattr(config, "risk_policy", {}) or {}
        tier_policy = risk.get(tier)
        timeout = getattr(tier_policy, "timeout", None) or config.run.timeout
    return RunPolicy(
        timeout=float(timeout),
        log_cap=int(config.run.log_cap),
        allow=tuple(config.run.allow) if config.run.allow is not None else None,
        env=dict(config.run.env or {}),
        pass_env=tuple(getattr(config.run, "pass_env", ()) or ()),
        fail_fast=options.fail_fast,
        isolation=config.run.isolation,
    )


Event = Callable[[str, str, int, int, str], None]  # (kind, packet id, n, total, command)


def run_packets(packets: Sequence[Packet], repo_root: Path, config: Config, options: RunOptions,
                on_event: Event | None = None, parent_env: Mapping[str, str] | None = None,
                ) -> dict[str, tuple[CommandResult, ...]]:
    state_dir = options.state_dir or (repo_root / ".govcheck")
    runnable = [p for p in packets if p.test_plan is not None and p.test_plan.commands and p.sha256]
    cache = None
    if config.run.cache and not options.rerun and runnable:
        cache = RunCache(state_dir / "cache" / "runs", repo_root, {p.id: p.sha256 for p in runnable},
                         repo_state(repo_root), code_fingerprint())
    elif config.run.cache and runnable:  # --rerun: refresh the cache with the new results
        cache = _WriteOnly(RunCache(state_dir / "cache" / "runs", repo_root, {p.id: p.sha256 for p in runnable},
                                    repo_state(repo_root), code_fingerprint()))
    cancel = threading.Event()
    # The commands may write into govcheck's pickled caches, which are
    # unpickled after the run; whatever they wrote there is undone.
    try:  # a state folder inside the repo is checked name by name from the repo root
        guard = CacheGuard(repo_root, (*Path(state_dir).relative_to(repo_root).parts, "cache"))
    except ValueError:
        guard = CacheGuard(Path(state_dir), ("cache",))
    try:
        return _run_all(runnable, repo_root, config, options, on_event, parent_env, state_dir, cache, cancel)
    finally:
        guard.undo_changes()


def _run_all(runnable, repo_root, config, options, on_event, parent_env, state_dir, cache, cancel):
    def one(packet: Packet) -> tuple[CommandResult, ...]:
        total = len(packet.test_plan.commands)

        def event(kind: str, n: int, text: str) -> None:
            if on_event is not None:
                on_event(kind, packet.id, n, total, text)

        return run_commands(
            packet.id, packet.test_plan.commands, repo_root=repo_root,
            policy=policy_for(packet, config, options), placeholders=placeholder_values(packet),
            parent_env=parent_env if parent_env is not None else os.environ,
            on_event=event, cancel=cancel, state_dir=state_dir, cache=cache,
        )

    jobs = options.jobs or os.cpu_count() or 1
    out: dict[str, tuple[CommandResult, ...]] = {}
    if jobs <= 1 or len(runnable) <= 1:
        try:
            for p in runnable:
                out[p.id] = one(p)
        except KeyboardInterrupt:
            cancel.set()
            raise
        return out
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(runnable)), thread_name_prefix="govcheck-run")
    futures = {p.id: pool.submit(one, p) for p in runnable}
    try:
        for pid, fut in futures.items():
            out[pid] = fut.result()
    except KeyboardInterrupt:
        # The runner kills each running command's process group once the
        # cancel event is set; wait for that before leaving.
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return out


class _WriteOnly:
    """--rerun: never read the cache, but store what this run produced."""

    def __init__(self, inner: RunCache) -> None:
        self.inner = inner

    def get(self, packet_id: str, n: int, command: str) -> CommandResult | None:
        return None

    def put(self, packet_id: str, n: int, command: str, result: CommandResult) -> None:
        self.inner.put(packet_id, n, command, result)

