"""Running the rules on a packet and on the repository.

Rules yield raw findings; here they get their rule id, configured severity,
codex reference and path, the risk policy's required rules are forced on,
and the waivers of the packet and of config are marked before the post
rules (the waiver checks) look at the result. Baseline entries are marked
later, by the engine, on fresh and cached findings alike (the results
cache must not depend on the baseline).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Mapping

from govcheck.analysis.anchoring import anchored_version
from govcheck.analysis.done_means import criteria_status
from govcheck.analysis.waivers import usable, waivers_for
from govcheck.cache.results import CachedResult, ResultCache, slim
from govcheck.engine.context import Context
from govcheck.engine.loader import is_unread
from govcheck.engine.verdict import risk_policy
from govcheck.errors import GovcheckError
from govcheck.model import CommandResult, Finding, Packet, Severity
from govcheck.repo.config import Config
from govcheck.repo.repository import PacketLocation, Repo
from govcheck.rules import HEALTH_FAMILY, RuleSpec


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


def enabled(spec: RuleSpec, config: Config) -> bool:
    """Whether the rule runs: config's ``enabled`` or ``severity: off`` says
    so first; a process rule outside a process profile runs only when
    config switches it on (``enabled: true``, or a severity of its own)."""
    configured = config.rules.get(spec.id)
    severity = getattr(configured, "severity", None) if configured is not None else None
    if severity == Severity.OFF:
        return False
    switch = getattr(configured, "enabled", None) if configured is not None else None
    if switch is not None:
        return bool(switch)
    if spec.process and not config.profile.process_rules:
        return severity is not None
    return True


def in_force(spec: RuleSpec, packet: Packet, config: Config) -> bool:
    """Whether the rule applies to a packet of this era (or config forces it
    on every packet with ``all_eras``)."""
    if not config.profile.eras:
        return True  # a profile without the reference template's history has no eras
    configured = config.rules.get(spec.id)
    return spec.since.applies_to(packet) or bool(configured is not None and configured.all_eras)


# A packet without Markdown (packet.json alone, or microtask contracts
# alone) is checked by the rules that read what it has: its contracts, and
# (when its packet.json can be read) its spec anchors. The Markdown
# template rules would report every field of a document that by design
# does not exist; the health rules below say where the packet is and
# whether it could be read at all.
_NO_MARKDOWN_FAMILIES = {"contract": ("contract", "microtasks"), "spec": ("contract",)}
_NO_MARKDOWN_RULES = frozenset({"packet-unreadable", "packet-outside-repo", "packet-superseded"})


def applies_to_form(spec: RuleSpec, packet: Packet) -> bool:
    """Whether the rule has anything to read in a packet of this form."""
    if packet.form in ("markdown", "contract+projection"):
        return True
    if spec.id in _NO_MARKDOWN_RULES:
        return True
    forms = _NO_MARKDOWN_FAMILIES.get(spec.family, ())
    if packet.form not in forms:
        return False
    return spec.family == "contract" or (packet.contract is not None and packet.contract.readable)


def check_packet(packet: Packet, ctx: Context, rules: Mapping[str, RuleSpec]) -> list[Finding]:
    findings: list[Finding] = []
    # A packet with no readable text gets only the packet-health finding
    # that says so: every content rule would otherwise pile "missing"
    # findings onto one real cause.
    unread = is_unread(packet)
    policy = risk_policy(packet, ctx.config)
    required = set(policy.required_rules if policy is not None else ())
    for spec in rules.values():
        if spec.scope != "packet":
            continue
        # A rule the packet's risk tier requires runs even when config
        # turned it off, and its findings count as errors.
        if not (enabled(spec, ctx.config) or spec.id in required):
            continue
        if unread and spec.family != HEALTH_FAMILY:
            continue
        if not (in_force(spec, packet, ctx.config) and applies_to_form(spec, packet)):
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
        if spec.scope == "post" and enabled(spec, ctx.config):
            for found in spec.check(packet, ctx, tuple(findings)):
                findings.append(_resolve(spec, found, packet, ctx.config))
    return findings


def apply_waivers(packet: Packet, ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Mark findings of waived rules as waived (they stay in the report);
    only complete, unexpired waivers apply."""
    active = [w for w in waivers_for(packet, ctx.config) if w.rules and usable(w, packet, ctx.today)]
    out = []
    for f in findings:
        w = next((w for w in active if f.rule in w.rules), None)
        out.append(replace(f, waived_by=w.id) if w is not None else f)
    return out


def check_repo(ctx: Context, rules: Mapping[str, RuleSpec]) -> list[Finding]:
    findings: list[Finding] = []
    for spec in rules.values():
        if spec.scope != "repo" or not enabled(spec, ctx.config):
            continue
        for found in spec.check(ctx):
            findings.append(_resolve(spec, found, None, ctx.config))
    return findings


def input_sha(repo: Repo, loc: PacketLocation) -> str | None:
    """sha256 over the packet's bytes (and packet.json's), or None if unreadable."""
    try:
        h = hashlib.sha256(repo.read_bytes(loc.path))
        if loc.json_path:
            h.update(b"\0" + repo.read_bytes(loc.json_path))
    except GovcheckError:
        return None
    return h.hexdigest()


def packet_outcome(packet: Packet, loc: PacketLocation, ctx: Context, rules: Mapping[str, RuleSpec],
                   results_cache: ResultCache | None, ran: tuple[CommandResult, ...] = ()) -> CachedResult:
    """Check one packet: its sorted findings, its DONE_MEANS checklist and
    the version it is anchored to, stored in the results cache together
    with every repo path the rules read (so a later run can reuse it)."""
    ctx.repo.start_recording()
    try:
        findings = tuple(sorted(check_packet(packet, ctx, rules), key=Finding.sort_key))
        criteria = criteria_status(packet, ctx)
    finally:
        recorded = ctx.repo.stop_recording()
    anchoring = anchored_version(packet)
    result = CachedResult(findings, criteria, anchoring.version if anchoring else None,
                          anchoring.ref.kind if anchoring else None,
                          anchoring.ref.line if anchoring else None, slim(packet))
    sha = input_sha(ctx.repo, loc) if results_cache is not None and packet.sha256 else None
    if sha is not None and not loc.escapes_repo:
        results_cache.put(loc.id, loc.path, sha, ran, recorded, result)
    return result
