"""repo -> packets -> (runner) -> rules -> findings -> verdict -> Report.

The one place that strings the layers together. It decides nothing a rule
decides and renders nothing: the verdict is computed here, from findings
and their severities, and nowhere else.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from govcheck import __version__
from govcheck.repo.config import Config, load_config
from govcheck.engine.context import Context
from govcheck.errors import GovcheckError, UsageError
from govcheck.model import (
    CommandResult,
    DecodeIssue,
    Finding,
    Packet,
    PacketResult,
    Receipt,
    Report,
    Severity,
    Verdict,
)
from govcheck.repo.repository import LayoutConfig, PacketLocation, Repo
from govcheck.rules import RuleSpec, all_rules

if False:  # typing only
    from govcheck.cache.parse import ParseCache


@dataclass(frozen=True)
class ValidateOptions:
    packet_ids: tuple[str, ...] = ()
    all_packets: bool = False
    no_run: bool = False
    run: "RunOptions | None" = None  # runner settings (timeout, -j, --rerun ...)
    # Progress callback for running commands: (kind, packet id, n, total, command).
    on_event: Callable[[str, str, int, int, str], None] | None = None
    now: _dt.datetime | None = None
    # govcheck ci: compare commits and select what the change touches.
    ci_base: str | None = None
    ci_head: str | None = None
    ci: bool = False
    cache_dir: Path | None = None  # parse cache folder; None: no cache


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


def open_repo(root: Path) -> tuple[Repo, Config, dict[str, RuleSpec]]:
    rules = all_rules()
    config = load_config(root, known_rules={rid: spec.options_schema() for rid, spec in rules.items()})
    layout = config.layout
    repo = Repo(
        root,
        LayoutConfig(
            packets=tuple(layout.packets or ()),
            spec_current=tuple(layout.spec_current or ()),
            spec_dirs=tuple(layout.spec_dirs or ()),
            task_board=tuple(layout.task_board or ()),
            traceability_registry=tuple(layout.traceability_registry or ()),
            refinements=tuple(layout.refinements or ()),
            exclude=tuple(layout.exclude or ()),
        ),
    )
    return repo, config, rules


def load_packet(repo: Repo, loc: PacketLocation, cache: "ParseCache | None" = None) -> Packet:
    """Read and parse one packet. Problems reading it become parse issues
    (reported by the packet-health rules), never exceptions. With a
    ``cache`` (govcheck.cache.parse.ParseCache), a parse of the same bytes is
    reused."""
    issues: list[DecodeIssue] = []
    if loc.escapes_repo or not repo.inside(repo.abs(loc.path)):
        target = os.path.realpath(repo.abs(loc.path))
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen1",
                      parse_issues=(DecodeIssue("outside-repo", 1, f"-> {target}"),))
    try:
        data = repo.read_bytes(loc.path)
    except GovcheckError as exc:
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen1",
                      parse_issues=(DecodeIssue("unreadable", 1, f"cannot be read: {exc}"),))
    packet_json = None
    if loc.json_path:
        try:
            packet_json = repo.read_bytes(loc.json_path)
        except GovcheckError:
            packet_json = None
    key = packet = None
    if cache is not None:
        from govcheck.cache.parse import packet_key

        key = packet_key(loc.path, data, packet_json)
        packet = cache.get(key)
    if packet is None:
        # Imported here: a warm run served from the cache never loads the
        # Markdown parser (markdown-it-py costs ~35 ms to import).
        from govcheck.parse.packet import parse_packet
        from govcheck.parse.text import decode

        decoded = decode(data)
        repo.remember_text(loc.path, decoded.text)  # rules read the same text
        packet = parse_packet(data, packet_id=loc.id, path=loc.path, packet_json=packet_json, decoded=decoded)
        if key is not None:
            cache.put(key, packet)
    for flat in loc.superseded:
        issues.append(DecodeIssue("superseded", 1, flat))
    if issues:
        packet = replace(packet, parse_issues=packet.parse_issues + tuple(issues))
    return packet


def _resolve(spec: RuleSpec, found: Finding, packet: Packet | None, config: Config) -> Finding:
    configured = config.rules.get(spec.id)
    severity = getattr(configured, "severity", None) if configured is not None else None
    if severity is None:
        severity = found.severity if found.severity is not Severity.OFF else spec.severity
    return replace(
        found,
        rule=spec.id,
        severity=Severity(severity),
        codex=found.codex or spec.codex,
        path=found.path or (packet.path if packet else None),
        packet_id=packet.id if packet else None,
    )


def _enabled(spec: RuleSpec, config: Config) -> bool:
    configured = config.rules.get(spec.id)
    return not (configured is not None and getattr(configured, "severity", None) == Severity.OFF)


# A packet with no readable text (empty, binary, unreadable, or refused for
# leaving the repo) gets only the packet-health finding that says so: every
# content rule would otherwise pile "missing" findings onto one real cause.
_UNREAD_KINDS = frozenset({"empty", "unreadable", "outside-repo"})
_HEALTH_MODULE = "govcheck.rules.packet_health"


def _unread(packet: Packet) -> bool:
    return any(i.kind in _UNREAD_KINDS for i in packet.parse_issues) or any(
        i.kind == "binary" for i in packet.decode_issues
    )


def risk_policy(packet: Packet, config: Config):
    """The ``policy.risk.<TIER>`` entry for the packet's RISK_TIER, if any."""
    tier = (packet.risk_tier.value if packet.risk_tier else "").strip().upper()
    tier = tier.split()[0] if tier else ""
    return (getattr(config, "risk_policy", None) or {}).get(tier)


def check_packet(packet: Packet, ctx: Context, rules: Mapping[str, RuleSpec]) -> list[Finding]:
    findings: list[Finding] = []
    unread = _unread(packet)
    policy = risk_policy(packet, ctx.config)
    required = set(getattr(policy, "required_rules", ()) or ())
    for spec in rules.values():
        if spec.scope != "packet":
            continue
        # A rule the packet's risk tier requires runs even when config
        # turned it off, and its findings count as errors.
        if not (_enabled(spec, ctx.config) or spec.id in required):
            continue
        if unread and spec.check.__module__ != _HEALTH_MODULE:
            continue
        for found in spec.check(packet, ctx):
            f = _resolve(spec, found, packet, ctx.config)
            if spec.id in required and f.severity is not Severity.ERROR:
                f = replace(f, severity=Severity.ERROR)
            findings.append(f)
    findings = apply_waivers(packet, ctx, findings)
    if unread:
        return findings
    for spec in rules.values():
        if spec.scope == "post" and _enabled(spec, ctx.config):
            for found in spec.check(packet, ctx, tuple(findings)):
                findings.append(_resolve(spec, found, packet, ctx.config))
    return findings


def apply_waivers(packet: Packet, ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Mark findings of waived rules as waived (they stay in the report);
    only complete, unexpired waivers apply."""
    from govcheck.rules.waivers import usable, waivers_for

    active = [w for w in waivers_for(packet, ctx) if w.rules and usable(w, packet, ctx.today)]
    if not active:
        return findings
    out = []
    for f in findings:
        w = next((w for w in active if f.rule in w.rules), None)
        out.append(replace(f, waived_by=w.id) if w is not None else f)
    return out


def check_repo(ctx: Context, rules: Mapping[str, RuleSpec]) -> list[Finding]:
    findings: list[Finding] = []
    for spec in rules.values():
        if spec.scope != "repo" or not _enabled(spec, ctx.config):
            continue
        for found in spec.check(ctx):
            findings.append(_resolve(spec, found, None, ctx.config))
    return findings


def verdict_of(findings: Iterable[Finding], warnings_fail: bool = False) -> Verdict:
    """FAIL when any finding that is not waived is an error (or a warning,
    when the packet's risk policy says warnings fail)."""
    for f in findings:
        if f.waived_by is not None:
            continue
        if f.severity is Severity.ERROR or (warnings_fail and f.severity is Severity.WARNING):
            return Verdict.FAIL
    return Verdict.PASS


def select_packets(repo: Repo, options: ValidateOptions) -> list[PacketLocation]:
    if options.all_packets:
        if options.packet_ids:
            raise UsageError("give packet ids or --all, not both")
        return list(repo.packets.values())
    if not options.packet_ids:
        raise UsageError("name at least one packet id (e.g. govcheck validate WP-1-Storage-Foundation) or use --all")
    seen: dict[str, PacketLocation] = {}
    for wp_id in options.packet_ids:
        seen.setdefault(wp_id, repo.packet(wp_id))
    return list(seen.values())


def select_changed(repo: Repo, config: Config, options: ValidateOptions, cache=None):
    """govcheck ci: the packets a change touches or affects (see changes.py)."""
    from govcheck.analysis.anchoring import anchored_version
    from govcheck.engine.selection import compute
    from govcheck.analysis.versions import version_key

    change = compute(repo, options.ci_base, options.ci_head, tuple(repo.config_sources()))
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


def validate(root: Path, options: ValidateOptions) -> Report:
    from govcheck.cache.parse import ParseCache, load_packets, spec_index_cache

    repo, config, rules = open_repo(root)
    spec_current = repo.spec_current()
    # Parsed packets and spec indexes are cached by content hash (and the
    # govcheck version); --no-cache leaves cache_dir None.
    cache = None
    if options.cache_dir:
        cache = ParseCache(Path(options.cache_dir))
        _ignore_state_dir(Path(options.cache_dir).parent.parent)
    with spec_index_cache(cache):
        change = None
        if options.ci:
            change, locations = select_changed(repo, config, options, cache)
        else:
            locations = select_packets(repo, options)
        now = report_time(options.now)
        results_cache, hits = None, {}
        if cache is not None:
            results_cache, hits = _cached_results(repo, config, spec_current, now, locations, options)
        misses = [loc for loc in locations if loc.id not in hits]
        if options.no_run and misses:
            # A large cold run parses and checks packets in worker processes:
            # only the slim results come back (see _parallel_check).
            hits.update(_parallel_check(repo, config, rules, spec_current, now, options, change, cache,
                                        results_cache, misses))
        loaded = iter(load_packets(repo, [loc for loc in locations if loc.id not in hits], cache))
        packets = [hits[loc.id].packet if loc.id in hits else next(loaded) for loc in locations]
        return _validate(repo, config, rules, spec_current, locations, now, options, packets, change, cache,
                         results_cache, hits)


PARALLEL_MIN = 200  # below this, forking workers costs more than it saves
_FORK_STATE: tuple | None = None  # what forked workers inherit


def _check_chunk(chunk: list) -> list:
    """In a worker: parse and check these packets; return slim results."""
    from govcheck.cache.results import CachedResult, slim
    from govcheck.rules.done_means import criteria_status
    from govcheck.analysis.anchoring import anchored_version

    repo, config, rules, spec_current, now, options, change, cache, results_cache = _FORK_STATE  # type: ignore[misc]
    ctx = Context(repo=repo, config=config, spec_current=spec_current, today=now.date(), commands={},
                  ran_commands=False, packets={}, all_packets=options.all_packets, change_set=change,
                  parse_cache=cache)
    out = []
    for loc in chunk:
        packet = load_packet(repo, loc, cache)
        repo.start_recording()
        try:
            findings = tuple(sorted(check_packet(packet, ctx, rules), key=Finding.sort_key))
            criteria = criteria_status(packet, ctx)
        finally:
            recorded = repo.stop_recording()
        anchoring = anchored_version(packet)
        result = CachedResult(findings, criteria, anchoring.version if anchoring else None,
                              anchoring.ref.kind if anchoring else None,
                              anchoring.ref.line if anchoring else None, slim(packet))
        sha = _input_sha(repo, loc) if results_cache is not None and packet.sha256 else None
        if sha is not None and not loc.escapes_repo:
            results_cache.put(loc.id, loc.path, sha, (), recorded, result)
        out.append((loc.id, result))
    return out


def _parallel_check(repo, config, rules, spec_current, now, options, change, cache, results_cache, misses) -> dict:
    """Parse and check ``misses`` across the cores (fork), when there are
    enough of them. Returns id -> CachedResult; {} means "do it in-process"
    (one core, few packets, no fork, or a broken pool)."""
    global _FORK_STATE
    from govcheck.cache.parse import _workers, fork_pool

    workers = min(_workers(), 8)
    if workers < 2 or len(misses) <= PARALLEL_MIN:
        return {}
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return {}
    size = max(10, len(misses) // (workers * 30))  # small chunks keep both workers busy to the end
    chunks = [misses[i : i + size] for i in range(0, len(misses), size)]
    _FORK_STATE = (repo, config, rules, spec_current, now, options, change, cache, results_cache)
    done: dict = {}
    try:
        with fork_pool(workers) as pool:
            for part in pool.map(_check_chunk, chunks):
                done.update(part)
    except Exception:  # a broken pool (no /dev/shm, a killed worker): check in-process
        return {}
    finally:
        _FORK_STATE = None
    return done


def _input_sha(repo: Repo, loc: PacketLocation) -> str | None:
    """sha256 over the packet's bytes (and packet.json's), or None if unreadable."""
    try:
        h = hashlib.sha256(repo.read_bytes(loc.path))
        if loc.json_path:
            h.update(b"\0" + repo.read_bytes(loc.json_path))
    except GovcheckError:
        return None
    return h.hexdigest()


def _cached_results(repo, config, spec_current, now, locations, options):
    """The result cache, and the results it holds for these packets. Only
    --no-run runs are served from it before parsing: with commands to run,
    packets are parsed anyway and results are looked up after the run."""
    from govcheck.cache.results import ResultCache, run_key

    folder = Path(options.cache_dir).parent / "results"
    try:
        spec_bytes = repo.spec_text_bytes(spec_current)
    except GovcheckError:
        return None, {}
    rc = ResultCache(folder, repo, run_key(repo, config, spec_current, now.date(), spec_bytes))
    hits = {}
    if options.no_run:
        for loc in locations:
            sha = _input_sha(repo, loc)
            if sha is not None and not loc.escapes_repo:
                found = rc.get(loc.id, loc.path, sha)
                if found is not None:
                    hits[loc.id] = found
    return rc, hits


def _ignore_state_dir(state: Path) -> None:
    """govcheck's state folder (logs, caches) keeps itself out of git."""
    try:
        state.mkdir(parents=True, exist_ok=True)
        ignore = state / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    except OSError:
        pass  # an unwritable state folder only costs the cache


def _validate(repo, config, rules, spec_current, locations, now, options, packets, change, cache,
              results_cache=None, hits=None) -> Report:
    hits = hits or {}
    commands: dict[str, tuple[CommandResult, ...]] = {}
    if not options.no_run:
        from govcheck.run.execute import RunOptions, run_packets

        # A packet that was not read (or leaves the repo) runs nothing.
        runnable = [p for p in packets if not _unread(p)]
        commands = run_packets(runnable, repo.root, config, options.run or RunOptions(), options.on_event)

    ctx = Context(repo=repo, config=config, spec_current=spec_current, today=now.date(),
                  commands=commands, ran_commands=not options.no_run,
                  packets={p.id: p for p in packets},
                  all_packets=options.all_packets or bool(change and change.all_packets_reason),
                  change_set=change, parse_cache=cache)
    from govcheck.analysis.anchoring import anchored_version
    from govcheck.rules.done_means import criteria_status

    from govcheck.cache.results import CachedResult, slim

    results: list[PacketResult] = []
    for packet, loc in zip(packets, locations):
        ran = commands.get(packet.id) or ()
        cached = hits.get(loc.id)
        if cached is None and results_cache is not None and ran and packet.sha256:
            sha = _input_sha(repo, loc)
            cached = results_cache.get(loc.id, loc.path, sha, ran) if sha else None
        if cached is None:
            repo.start_recording()
            try:
                findings = tuple(sorted(check_packet(packet, ctx, rules), key=Finding.sort_key))
                criteria = criteria_status(packet, ctx)
            finally:
                recorded = repo.stop_recording()
            anchoring = anchored_version(packet)
            cached = CachedResult(findings, criteria, anchoring.version if anchoring else None,
                                  anchoring.ref.kind if anchoring else None,
                                  anchoring.ref.line if anchoring else None, slim(packet))
            sha = _input_sha(repo, loc) if results_cache is not None and packet.sha256 else None
            if sha is not None and not loc.escapes_repo:
                results_cache.put(loc.id, loc.path, sha, ran, recorded, cached)
        results.append(
            PacketResult(
                packet=packet,
                verdict=verdict_of(cached.findings, getattr(risk_policy(packet, config), "warnings_fail", False)),
                findings=cached.findings,
                spec_version=cached.spec_version,
                spec_basis=cached.spec_basis,
                spec_basis_line=cached.spec_basis_line,
                criteria=cached.criteria,
                commands=ran or _not_run(packet),
                superseded=loc.superseded,
            )
        )
    repo_findings = tuple(sorted(check_repo(ctx, rules), key=Finding.sort_key))
    overall = verdict_of(repo_findings)
    if any(r.verdict is Verdict.FAIL for r in results):
        overall = Verdict.FAIL
    spec_bytes = repo.read_bytes(spec_current.spec_file) if repo.is_file(spec_current.spec_file) else b""
    receipt = Receipt(
        govcheck_version=__version__,
        config_sha256=config.sha256,
        spec_current_sha256=hashlib.sha256(spec_bytes).hexdigest() if spec_bytes else None,
    )
    return Report(
        generated_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        repo=str(repo.root),
        verdict=overall,
        spec_current=spec_current,
        packets=tuple(results),
        repo_findings=repo_findings,
        receipt=receipt,
        tool_version=__version__,
        notes=change.notes() if change else (),
    )


def _not_run(packet: Packet) -> tuple[CommandResult, ...]:
    """TEST_PLAN commands listed as skipped when nothing was run."""
    if packet.test_plan is None:
        return ()
    return tuple(
        CommandResult(command=c.text, line=c.line, status="skipped", reason="not run (--no-run)")
        for c in packet.test_plan.commands
    )
