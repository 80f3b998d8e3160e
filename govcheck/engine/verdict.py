"""THE verdict: the one place that decides whether a packet passes, and why.

Findings arrive here with waivers and baseline entries already marked
(``waived_by``); what is left is weighed with the risk policy of the
packet's tier. Renderers print the verdict and the reason decided here and
never weigh findings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from govcheck.model import Finding, Packet, PacketResult, Severity, Verdict
from govcheck.repo.config import Config, RiskPolicy


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str  # one line, without "REASON FOR ..."
    deciding_rules: tuple[str, ...] = ()  # rules whose findings made it FAIL


def risk_policy(packet: Packet, config: Config) -> RiskPolicy | None:
    """The ``policy.risk.<TIER>`` entry for the packet's parsed risk tier."""
    if packet.risk is None:
        return None
    return (config.risk_policy or {}).get(packet.risk)


def _counts_by_rule(findings: Iterable[Finding]) -> dict[str, int]:
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return by_rule


def _summary(by_rule: dict[str, int]) -> str:
    return ", ".join(f"{rule} ({n})" if n > 1 else rule for rule, n in by_rule.items())


def decide(findings: Sequence[Finding], policy: RiskPolicy | None = None, tier: str | None = None) -> Decision:
    """FAIL when any finding that is not waived is an error, or a warning
    when the packet's risk policy says warnings fail."""
    live = [f for f in findings if f.waived_by is None]
    errors = [f for f in live if f.severity is Severity.ERROR]
    warnings = [f for f in live if f.severity is Severity.WARNING]
    warnings_fail = bool(policy is not None and policy.warnings_fail)
    if errors or (warnings_fail and warnings):
        parts = []
        if errors:
            by_rule = _counts_by_rule(errors)
            parts.append(f"{len(errors)} error finding(s): {_summary(by_rule)}")
        if warnings_fail and warnings:
            by_warning = _counts_by_rule(warnings)
            parts.append(f"{len(warnings)} warning finding(s), which fail at RISK_TIER {tier or '?'} "
                         f"(policy.risk.{tier or '?'}.warnings_fail): {_summary(by_warning)}")
        deciding = tuple(_counts_by_rule(errors + (warnings if warnings_fail else [])))
        return Decision(Verdict.FAIL, "; ".join(parts), deciding)
    tail = f"; {len(warnings)} warning(s) to review" if warnings else ""
    return Decision(Verdict.PASS, f"no unwaived error findings{tail}")


def decide_packet(packet: Packet, findings: Sequence[Finding], config: Config) -> Decision:
    return decide(findings, risk_policy(packet, config), packet.risk)


def overall(results: Sequence[PacketResult], repo_findings: Sequence[Finding]) -> Verdict:
    """The run's verdict: FAIL when any packet or repository finding fails."""
    if any(r.verdict is Verdict.FAIL for r in results):
        return Verdict.FAIL
    return decide(repo_findings).verdict
