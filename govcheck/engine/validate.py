"""repo -> packets -> (runner) -> rules -> findings -> verdict -> Report.

The one place that strings the layers together: it selects and loads the
packets, runs their commands, has the rules checked (from the results
cache where it can), marks baseline entries, and asks engine.verdict for
each verdict and its reason. It renders nothing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from govcheck import __version__
from govcheck.cache.parse import ParseCache, spec_index_cache
from govcheck.cache.results import CachedResult, ResultCache, run_key
from govcheck.cache.state import StateDir
from govcheck.engine import baseline as baselines
from govcheck.engine.checks import check_repo, input_sha, packet_outcome
from govcheck.engine.context import Context
from govcheck.engine.loader import is_unread, load_packet, open_repo
from govcheck.engine.parallel import can_fork, forked_state, load_packets, run_forked, workers
from govcheck.engine.selection import ChangeSet, select_changed, select_packets
from govcheck.engine.verdict import decide_packet, overall
from govcheck.errors import GovcheckError, UsageError
from govcheck.model import CommandResult, Finding, Packet, PacketResult, Receipt, Report, SpecCurrent
from govcheck.repo.config import Config
from govcheck.repo.repository import PacketLocation, Repo
from govcheck.repo.spec_history import SpecStore
from govcheck.rules import RuleSpec
from govcheck.run.execute import run_packets
from govcheck.run.options import RunOptions


@dataclass(frozen=True)
class ValidateOptions:
    packet_ids: tuple[str, ...] = ()
    all_packets: bool = False
    no_run: bool = False
    run: RunOptions | None = None  # runner settings (timeout, -j, --rerun ...)
    # Progress callback for running commands: (kind, packet id, n, total, command).
    on_event: Callable[[str, str, int, int, str], None] | None = None
    now: _dt.datetime | None = None
    # govcheck ci: compare commits and select what the change touches.
    ci_base: str | None = None
    ci_head: str | None = None
    ci: bool = False
    state: StateDir | None = None  # logs and caches; None: no caches (--no-cache)
    # Known findings (govcheck baseline): marked before verdicts are decided.
    baseline: baselines.Baseline | None = None


def report_time(now: _dt.datetime | None = None) -> _dt.datetime:
    """The report's timestamp: SOURCE_DATE_EPOCH when set (reproducible
    builds convention), else the current UTC time."""
    if now is not None:
        return now
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH '{epoch}' is not a Unix timestamp") from None
    return _dt.datetime.now(tz=_dt.timezone.utc).replace(microsecond=0)


@dataclass
class _Run:
    """What one validation run works with (built once, read by every step)."""

    repo: Repo
    config: Config
    rules: dict[str, RuleSpec]
    spec_current: SpecCurrent
    now: _dt.datetime
    options: ValidateOptions
    change: ChangeSet | None
    cache: ParseCache | None
    results_cache: ResultCache | None
    spec_store: SpecStore | None = None

    def context(self, commands: Mapping[str, tuple[CommandResult, ...]] = {},  # noqa: B006 (read-only)
                packets: dict | None = None) -> Context:
        return Context(repo=self.repo, config=self.config, spec_current=self.spec_current, today=self.now.date(),
                       commands=commands, ran_commands=not self.options.no_run, packets=packets or {},
                       all_packets=self.options.all_packets or bool(self.change and self.change.all_packets_reason),
                       change_set=self.change, parse_cache=self.cache, load=self.load,
                       rule_ids=frozenset(self.rules), shared_spec_store=self.spec_store)

    def load(self, wp_id: str) -> Packet | None:
        loc = self.repo.packets.get(wp_id)
        return load_packet(self.repo, loc, self.cache) if loc is not None else None


def validate(root: Path, options: ValidateOptions) -> Report:
    repo, config, rules = open_repo(root)
    spec_current = repo.spec_current()
    # Parsed packets and spec indexes are cached by content hash (and the
    # govcheck version); --no-cache leaves the state None.
    cache = None
    if options.state is not None:
        cache = ParseCache(options.state.parse_cache)
        options.state.ignore_in_git()
    with spec_index_cache(cache):
        change = None
        if options.ci:
            change, locations = select_changed(repo, options.ci_base, options.ci_head, cache)
        else:
            locations = select_packets(repo, options.packet_ids, options.all_packets)
        now = report_time(options.now)
        history_cache = options.state.spec_history_cache if options.state is not None else None
        run = _Run(repo, config, rules, spec_current, now, options, change, cache, None,
                   SpecStore(repo, history_cache))
        hits: dict[str, CachedResult] = {}
        if cache is not None:
            run.results_cache, hits = _cached_results(run, locations)
        misses = [loc for loc in locations if loc.id not in hits]
        if options.no_run and misses:
            # A large cold run parses and checks packets in worker processes:
            # only the slim results come back (see _parallel_check).
            hits.update(_parallel_check(run, misses))
        loaded = iter(load_packets(repo, [loc for loc in locations if loc.id not in hits], cache))
        packets = [hits[loc.id].packet if loc.id in hits else next(loaded) for loc in locations]
        with run.spec_store:  # ends its git reader when the run is done
            return _validate(run, locations, packets, hits)


def _check_chunk(chunk: list) -> list:
    """In a worker: parse and check these packets; return slim results."""
    (run,) = forked_state()
    ctx = run.context()
    return [(loc.id, packet_outcome(load_packet(run.repo, loc, run.cache), loc, ctx, run.rules, run.results_cache))
            for loc in chunk]


def _parallel_check(run: _Run, misses: list[PacketLocation]) -> dict[str, CachedResult]:
    """Parse and check ``misses`` across the cores (fork), when there are
    enough of them. Returns id -> CachedResult; {} means "do it in-process"."""
    if not can_fork(len(misses)):
        return {}
    size = max(10, len(misses) // (workers() * 30))  # small chunks keep every worker busy to the end
    chunks = [misses[i : i + size] for i in range(0, len(misses), size)]
    parts = run_forked(_check_chunk, chunks, (run,))
    return {wp_id: result for part in (parts or ()) for wp_id, result in part}


def _cached_results(run: _Run, locations: Sequence[PacketLocation]) -> tuple[ResultCache | None, dict]:
    """The result cache, and the results it holds for these packets. Only
    --no-run runs are served from it before parsing: with commands to run,
    packets are parsed anyway and results are looked up after the run."""
    folder = run.options.state.results_cache
    try:
        spec_bytes = run.repo.spec_text_bytes(run.spec_current)
    except GovcheckError:
        return None, {}
    rc = ResultCache(folder, run.repo, run_key(run.repo, run.config, run.spec_current, run.now.date(), spec_bytes))
    hits = {}
    if run.options.no_run:
        for loc in locations:
            sha = input_sha(run.repo, loc)
            if sha is not None and not loc.escapes_repo:
                found = rc.get(loc.id, loc.path, sha)
                if found is not None:
                    hits[loc.id] = found
    return rc, hits


def _validate(run: _Run, locations: list[PacketLocation], packets: list[Packet],
              hits: dict[str, CachedResult]) -> Report:
    options, repo, config = run.options, run.repo, run.config
    commands: dict[str, tuple[CommandResult, ...]] = {}
    if not options.no_run:
        # A packet that was not read (or leaves the repo) runs nothing.
        runnable = [p for p in packets if not is_unread(p)]
        commands = run_packets(runnable, repo.root, config, options.run or RunOptions(), options.on_event)

    ctx = run.context(commands, {p.id: p for p in packets})
    seen: set[str] = set()  # baseline fingerprints matched
    results: list[PacketResult] = []
    for packet, loc in zip(packets, locations):
        ran = commands.get(packet.id) or ()
        cached = hits.get(loc.id)
        if cached is None and run.results_cache is not None and ran and packet.sha256:
            sha = input_sha(repo, loc)
            cached = run.results_cache.get(loc.id, loc.path, sha, ran) if sha else None
        if cached is None:
            cached = packet_outcome(packet, loc, ctx, run.rules, run.results_cache, ran)
        findings = cached.findings
        if options.baseline is not None:
            findings = baselines.mark(findings, options.baseline, seen)
        decision = decide_packet(packet, findings, config)
        results.append(
            PacketResult(
                packet=packet,
                verdict=decision.verdict,
                findings=findings,
                spec_version=cached.spec_version,
                spec_basis=cached.spec_basis,
                spec_basis_line=cached.spec_basis_line,
                criteria=cached.criteria,
                commands=ran or _not_run(packet),
                superseded=loc.superseded,
                reason=decision.reason,
                deciding_rules=decision.deciding_rules,
            )
        )
    repo_findings = tuple(sorted(check_repo(ctx, run.rules), key=Finding.sort_key))
    notes = list(run.change.notes()) if run.change else []
    if options.baseline is not None:
        repo_findings = baselines.mark(repo_findings, options.baseline, seen)
        notes += baselines.notes(options.baseline, seen, {r.packet.id for r in results})
    spec_current = run.spec_current
    spec_bytes = repo.read_bytes(spec_current.spec_file) if repo.is_file(spec_current.spec_file) else b""
    receipt = Receipt(
        govcheck_version=__version__,
        config_sha256=config.sha256,
        spec_current_sha256=hashlib.sha256(spec_bytes).hexdigest() if spec_bytes else None,
    )
    return Report(
        generated_at=run.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        repo=str(repo.root),
        verdict=overall(results, repo_findings),
        spec_current=spec_current,
        packets=tuple(results),
        repo_findings=repo_findings,
        receipt=receipt,
        tool_version=__version__,
        notes=tuple(notes),
        rules=tuple(spec.info() for spec in run.rules.values()),
    )


def _not_run(packet: Packet) -> tuple[CommandResult, ...]:
    """TEST_PLAN commands listed as skipped when nothing was run."""
    if packet.test_plan is None:
        return ()
    return tuple(
        CommandResult(command=c.text, line=c.line, status="skipped", reason="not run (--no-run)")
        for c in packet.test_plan.commands
    )
