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
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from govcheck import __version__
from govcheck.analysis.spec_diff import anchored_ids
from govcheck.cache.parse import ParseCache, spec_index_cache
from govcheck.cache.results import CachedResult, ResultCache, run_key
from govcheck.cache.state import StateDir
from govcheck.engine import baseline as baselines
from govcheck.engine import shard as shards
from govcheck.engine.checks import check_repo, input_sha, packet_outcome
from govcheck.engine.context import Context
from govcheck.engine.loader import is_unread, load_packet, open_repo, read_packet_bytes
from govcheck.engine.parallel import (
    PARALLEL_MIN_BYTES,
    affinity_chunks,
    can_fork,
    few_collections,
    forked_state,
    load_packets,
    run_forked,
    workers,
)
from govcheck.engine.selection import ChangeSet, Judging, select_changed, select_packets
from govcheck.engine.verdict import decide_packet, overall
from govcheck.errors import GovcheckError, UsageError
from govcheck.model import (
    BoardEntry,
    CommandResult,
    Finding,
    Packet,
    PacketResult,
    Receipt,
    Report,
    SectionAnchor,
    ShardInfo,
    SpecCurrent,
    SpecOutlineEntry,
)
from govcheck.parse.board import parse_board
from govcheck.parse.report_markers import LEDGER_NAME, parse_ledger
from govcheck.parse.spec import SpecIndex, index_spec
from govcheck.parse.versions import version_key
from govcheck.repo.config import Config
from govcheck.repo.repository import PacketLocation, Repo
from govcheck.repo.spec_history import SpecStore, likely_version
from govcheck.rules import RuleSpec
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
    # --config FILE instead of the repo's own configuration.
    config_file: Path | None = None
    # --select / --ignore: rule ids whose findings count (empty: all) and
    # those left out. Rules still run (the results cache holds every
    # finding); their findings are dropped before baseline and verdict.
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    # --shard K/N (validate --all): this part of the packets, balanced by
    # these recorded command durations (engine.shard).
    shard: shards.Shard | None = None
    durations: Mapping[str, float] | None = None
    # govcheck ci: the merge base's config and baseline judge the change
    # (selection.judging_at_base); an empty selection fails unless allowed.
    ci_judging: Judging | None = None
    ci_allow_empty: bool = True

    def counts_rule(self, rule_id: str) -> bool:
        return (not self.select or rule_id in self.select) and rule_id not in self.ignore


# Rules that judge TEST_PLAN outcomes: a run without commands (--no-run,
# the pre-commit hook) does not evaluate them.
RUN_RULES = frozenset({"test-plan-failed", "status-unproven"})


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
    shard: ShardInfo | None = None
    report_ledger: Mapping[str, dict] | None = None  # commands.append's ledger (state folder)
    spec_store: SpecStore | None = None

    def context(self, commands: Mapping[str, tuple[CommandResult, ...]] = {},  # noqa: B006 (read-only)
                packets: dict | None = None) -> Context:
        return Context(repo=self.repo, config=self.config, spec_current=self.spec_current, today=self.now.date(),
                       commands=commands, ran_commands=not self.options.no_run, packets=packets or {},
                       all_packets=self.options.all_packets or bool(self.change and self.change.all_packets_reason),
                       change_set=self.change, parse_cache=self.cache, load=self.load,
                       rule_ids=frozenset(self.rules), report_ledger=self.report_ledger or {},
                       shared_spec_store=self.spec_store)

    def load(self, wp_id: str) -> Packet | None:
        loc = self.repo.packets.get(wp_id)
        return load_packet(self.repo, loc, self.cache) if loc is not None else None


def validate(root: Path, options: ValidateOptions) -> Report:
    with few_collections():
        return _validate_run(root, options)


def _validate_run(root: Path, options: ValidateOptions) -> Report:
    # ci judges with the merge base's config, unless the workflow names one (--config).
    judging_config = options.ci_judging.config if options.ci_judging and not options.config_file else None
    repo, config, rules = open_repo(root, judging_config, options.config_file)
    unknown = sorted((options.select | options.ignore) - set(rules))
    if unknown:
        raise UsageError(f"unknown rule(s) {', '.join(unknown)} in --select/--ignore; 'govcheck rules' lists them")
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
            change, locations = select_changed(repo, options.ci_base, options.ci_head, cache,
                                               options.ci_judging, options.ci_allow_empty)
        else:
            locations = select_packets(repo, options.packet_ids, options.all_packets)
        shard_info = None
        if options.shard is not None:
            if not options.all_packets:
                raise UsageError("--shard splits 'validate --all'; give --all")
            locations, shard_info = _shard(repo, locations, options.shard, options.durations or {})
        now = report_time(options.now)
        history_cache = options.state.spec_history_cache if options.state is not None else None
        run = _Run(repo, config, rules, spec_current, now, options, change, cache, None, shard_info,
                   _report_ledger(options.state), SpecStore(repo, history_cache))
        hits: dict[str, CachedResult] = {}
        if cache is not None:
            run.results_cache, hits = _cached_results(run, locations)
        # What the rules read is recorded for the results cache alone.
        repo.record_reads(run.results_cache is not None)
        # The anchors of every packet, for the report's coverage data (slim
        # packets from the results cache and from workers keep them).
        anchors: dict[str, tuple[SectionAnchor, ...]] = {}
        anchors.update({wp_id: hit.packet.anchors for wp_id, hit in hits.items()})
        misses = [loc for loc in locations if loc.id not in hits]
        if options.no_run and misses:
            # A large cold run parses and checks packets in worker processes:
            # only the slim results come back (see _parallel_check).
            checked = _parallel_check(run, misses)
            hits.update({wp_id: result for wp_id, (result, _) in checked.items()})
            anchors.update({wp_id: found for wp_id, (_, found) in checked.items()})
        loaded = iter(load_packets(repo, [loc for loc in locations if loc.id not in hits], cache))
        packets = [hits[loc.id].packet if loc.id in hits else next(loaded) for loc in locations]
        with run.spec_store:  # ends its git reader when the run is done
            return _validate(run, locations, packets, hits, anchors)


def _shard(repo: Repo, locations: list[PacketLocation], shard: shards.Shard,
           durations: Mapping[str, float]) -> tuple[list[PacketLocation], ShardInfo]:
    ids = [loc.id for loc in locations]
    assignment = shards.plan(ids, shards.weights(repo, locations, durations), shard.count)
    positions = tuple(i for i, part in enumerate(assignment) if part == shard.index - 1)
    info = ShardInfo(shard.index, shard.count, len(locations), positions,
                     shards.digest(ids, assignment, shard.count))
    return [locations[i] for i in positions], info


def _report_ledger(state: StateDir | None) -> Mapping[str, dict]:
    """What validate --append recorded in this state folder ({} without one)."""
    if state is None:
        return {}
    try:
        return parse_ledger((state.root / LEDGER_NAME).read_bytes())
    except OSError:
        return {}


# A forked worker's Context: one per run and process, as an in-process run
# has one, so what it computes once (the current spec's text and index, a
# bundle's modules, the board, memoised registries, packets loaded on
# demand) is computed once per worker, not once per chunk of ~10-60 packets.
_WORKER_CONTEXT: tuple[_Run, Context] | None = None


def _check_chunk(chunk: list) -> list:
    """In a worker: parse and check these packets; return slim results and
    each packet's anchors (which the slim packet drops)."""
    global _WORKER_CONTEXT
    (run,) = forked_state()
    if _WORKER_CONTEXT is None or _WORKER_CONTEXT[0] is not run:
        _WORKER_CONTEXT = (run, run.context())
    ctx = _WORKER_CONTEXT[1]
    out = []
    for loc in chunk:
        packet = load_packet(run.repo, loc, run.cache)
        out.append((loc.id, (packet_outcome(packet, loc, ctx, run.rules, run.results_cache), packet.anchors)))
    return out


def _parallel_check(run: _Run, misses: list[PacketLocation]) -> dict[str, tuple[CachedResult, tuple[SectionAnchor, ...]]]:
    """Parse and check ``misses`` across the cores (fork), when there are
    enough of them. Returns id -> (CachedResult, anchors); {} means "do it
    in-process"."""
    if not can_fork(len(misses), PARALLEL_MIN_BYTES + 1):
        return {}
    # The map of spec versions in git history (one ``git log``, seconds on
    # a long history) is built while the packets are read: git works on the
    # other core. Joined before forking (no thread may run across a fork).
    history = _start(run.spec_store.history) if run.spec_store.git.is_repo() else None
    # The packets' bytes are read here, in the parent: the workers inherit
    # them (and a run that does not fork reads them anyway). Packets
    # anchored to the same old spec version go to one worker (as far as
    # their bytes tell), which reads and indexes that text once: each worker
    # used to index every old version its packets met. The current spec is
    # indexed here too, while the log may still run (the report needs it
    # whether or not the run forks).
    try:
        read = [read_packet_bytes(run.repo, loc) for loc in misses]
        keys = [likely_version(r[0]) if r is not None else () for r in read]
        _index_current_spec(run)
        # The Markdown parser's modules (markdown-it-py's among them, ~35 ms
        # to import), loaded once here, where the log leaves time to spare,
        # rather than by every worker.
        import govcheck.parse.packet  # noqa: F401
    finally:
        if history is not None:
            history.join()
    if not can_fork(len(misses), sum(len(r[0]) + len(r[1] or b"") for r in read if r is not None)):
        return {}
    size = max(10, len(misses) // (workers() * 30))  # small chunks keep every worker busy to the end
    # What a chunk costs, in bytes of packet text: its packets' bytes; a
    # packet with no Markdown (a contract or microtasks only: contracts,
    # microtask files, projections to check) as a large one; an old spec
    # version's text to read from git and index (~50 ms) as 250 KB.
    try:
        current = version_key(run.spec_current.version)
    except ValueError:
        current = ()
    weights = [len(r[0]) + len(r[1] or b"") if r is not None else _UNREAD_PACKET_WEIGHT for r in read]
    chunks = affinity_chunks(misses, keys, size, max(size, len(misses) // (workers() * 4)), weights,
                             lambda key: _OLD_TEXT_WEIGHT if current and key < current else 0)
    _share_spec_work(run, keys)
    parts = run_forked(_check_chunk, chunks, (run,))
    return {wp_id: result for part in (parts or ()) for wp_id, result in part}


_UNREAD_PACKET_WEIGHT = 400_000
_OLD_TEXT_WEIGHT = 250_000


def _start(work: Callable[[], object]) -> threading.Thread:
    """``work`` in a thread, ahead of need: whoever needs its result calls
    it again (memoised), which also raises what it raised here."""
    def ahead() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - asked again, in the open, when needed
            pass

    thread = threading.Thread(target=ahead, name="govcheck-prefetch", daemon=True)
    thread.start()
    return thread


def _index_current_spec(run: _Run) -> bool:
    """The current spec's section index, made (and memoised) now; False
    when the spec cannot be read (spec-missing and friends: every worker
    finds the same)."""
    try:
        index_spec(run.repo.spec_text_bytes(run.spec_current))
    except GovcheckError:
        return False
    return True


def _share_spec_work(run: _Run, keys: Sequence[tuple[int, ...]]) -> None:
    """What every worker would otherwise compute for itself, done once
    before forking: the current spec's section index (the parent needs it
    for the report anyway) and, when packets may need older texts, the map
    of spec versions in git history (one ``git log``)."""
    if not _index_current_spec(run):
        return
    try:
        current = version_key(run.spec_current.version)
    except ValueError:
        return
    if any(key and key < current for key in keys):
        run.spec_store.history()


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
              hits: dict[str, CachedResult], anchors: Mapping[str, tuple[SectionAnchor, ...]]) -> Report:
    options, repo, config = run.options, run.repo, run.config
    commands: dict[str, tuple[CommandResult, ...]] = {}
    if not options.no_run:
        # A packet that was not read (or leaves the repo) runs nothing.
        runnable = [p for p in packets if not is_unread(p)]
        if options.on_event is not None:  # the overall counter of the progress display
            options.on_event("plan", "", 0, len(runnable), "")
        from govcheck.run.execute import run_packets  # the runner only when commands run (--no-run skips it)

        commands = run_packets(runnable, repo.root, config, options.run or RunOptions(), options.on_event)

    ctx = run.context(commands, {p.id: p for p in packets})
    seen: set[str] = set()  # baseline fingerprints matched
    results: list[PacketResult] = []
    spec_index = _current_index(ctx)
    for packet, loc in zip(packets, locations):
        ran = commands.get(packet.id) or ()
        cached = hits.get(loc.id)
        if cached is None and run.results_cache is not None and ran and packet.sha256:
            sha = input_sha(repo, loc)
            cached = run.results_cache.get(loc.id, loc.path, sha, ran) if sha else None
        if cached is None:
            cached = packet_outcome(packet, loc, ctx, run.rules, run.results_cache, ran)
        findings = cached.findings
        if options.select or options.ignore:
            findings = tuple(f for f in findings if options.counts_rule(f.rule))
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
                anchors=_anchor_ids(anchors.get(packet.id, packet.anchors), spec_index),
            )
        )
    repo_checked = run.shard is None or run.shard.index == 1  # repo-level checks run in one part only
    repo_findings = tuple(sorted((f for f in check_repo(ctx, run.rules) if options.counts_rule(f.rule)),
                                 key=Finding.sort_key)) if repo_checked else ()
    notes = list(run.change.notes()) if run.change else []
    if ctx.all_packets:
        # Whole-repo runs are where the board and registry checks run in
        # full; a one-packet report keeps its one-packet form.
        notes += repo.layout_notes()
    if options.baseline is not None:
        repo_findings = baselines.mark(repo_findings, options.baseline, seen)
        # Entries this run could not have raised are not "fixed": rules left
        # out by --select/--ignore, TEST_PLAN rules without commands, and in
        # a partial run repo-level entries about packets it did not load.
        not_evaluated = {r for r in run.rules if not options.counts_rule(r)}
        if options.no_run:
            not_evaluated |= RUN_RULES
        notes += baselines.notes(options.baseline, seen, {r.packet.id for r in results}, repo_checked,
                                 skipped_rules=frozenset(not_evaluated), all_packets=ctx.all_packets)
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
        shard=run.shard,
        spec_sections=tuple(SpecOutlineEntry(s.id, s.title) for s in spec_index.sections) if spec_index else (),
        board_path=repo.task_board_path,
        board=_board_entries(repo),
    )


def _current_index(ctx: Context) -> SpecIndex | None:
    """The current spec's section index, or None when its text cannot be
    read (spec-missing and friends report that; the report just has no
    outline then)."""
    try:
        return ctx.current_spec_index
    except GovcheckError:
        return None


def _anchor_ids(found: tuple[SectionAnchor, ...], index: SpecIndex | None) -> tuple[str, ...]:
    """Anchored section ids, ranges expanded against the current spec."""
    if not found:
        return ()
    if index is None:
        return tuple(dict.fromkeys(a.section for a in found))
    return tuple(anchored_ids(found, index))


def _board_entries(repo: Repo) -> tuple[BoardEntry, ...]:
    """The task board's entries that name a packet (empty without a board):
    the board-versus-packets view shows them beside each packet's status."""
    path = repo.task_board_path
    if path is None:
        return ()
    try:
        lines = parse_board(repo.read_text(path))
    except GovcheckError:
        return ()  # task-board-format / -mismatch report an unreadable board
    return tuple(BoardEntry(bl.wp_id, bl.heading, bl.line, bl.token) for bl in lines if bl.wp_id)


def _not_run(packet: Packet) -> tuple[CommandResult, ...]:
    """TEST_PLAN commands listed as skipped when nothing was run."""
    if packet.test_plan is None:
        return ()
    return tuple(
        CommandResult(command=c.text, line=c.line, status="skipped", reason="not run (--no-run)")
        for c in packet.test_plan.commands
    )
