"""THE verdict: the one place that decides whether a packet passes, and why.

Findings arrive here with waivers and baseline entries already marked
(``waived_by``); what is left is weighed with the risk policy of the
packet's tier and the packet's lifecycle:

- FAIL: an unwaived error (or a warning where the tier's policy says
  warnings fail).
- OUTDATED: the packet is closed (Done, Validated, Done (Historical)) and
  its only errors are drift: the spec moved on after the work was judged
  against its own baseline (the validators' OUTDATED_ONLY). The work stays
  closed history; it is not reopened for drift alone.
- PASS: otherwise. A closed packet anchored to an older version whose
  anchored sections did not change at all is not stale in substance: it
  passes, with a note offering ``govcheck reanchor``.

An active packet (Ready for Dev, In Progress) on an old spec is FAIL:
the work is still to be done against the current text. Renderers print
the verdict and the reason decided here and never weigh findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from govcheck.model import Finding, Packet, PacketResult, Severity, Verdict
from govcheck.repo.config import Config, RiskPolicy

# Rules whose findings on a closed packet can be drift (see is_drift).
DRIFT_RULES = frozenset({"spec-stale", "spec-anchor-missing", "spec-anchor-moved"})


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str  # one line, without "REASON FOR ..."
    deciding_rules: tuple[str, ...] = ()  # rules whose findings made it FAIL or OUTDATED


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


def _summary(by_rule: Mapping[str, int]) -> str:
    return ", ".join(f"{rule} ({n})" if n > 1 else rule for rule, n in by_rule.items())


def stale_in_name_only(f: Finding) -> bool:
    """A spec-stale finding whose anchored sections were all compared and
    none changed: the packet's requirements read the same in both texts."""
    return f.rule == "spec-stale" and f.data.get("changed_sections") == []


def is_drift(f: Finding) -> bool:
    """A finding caused by the spec moving on, not by the work: the packet
    is older than SPEC_CURRENT, or an anchor of a packet on an older version
    is gone from the current spec while it existed in the packet's own
    version (``in_packet_version: true``) or that text is not available to
    tell (``null``: the spec moved, and nothing says the anchor was wrong).
    An anchor that did not exist in the packet's own version either
    (``false``), or one missing while the packet is on the current version,
    is a real defect."""
    if f.rule == "spec-stale":
        return True
    if f.rule in ("spec-anchor-missing", "spec-anchor-moved"):
        return bool(f.data.get("packet_version")) and f.data.get("in_packet_version") is not False
    return False


def decide(findings: Sequence[Finding], policy: RiskPolicy | None = None, tier: str | None = None,
           closed: bool = False) -> Decision:
    live = [f for f in findings if f.waived_by is None]
    if closed:
        # Stale in name only: not a reason to fail, nor to call it outdated.
        live = [f for f in live if not stale_in_name_only(f)]
    errors = [f for f in live if f.severity is Severity.ERROR]
    warnings = [f for f in live if f.severity is Severity.WARNING]
    warnings_fail = bool(policy is not None and policy.warnings_fail)
    failing_warnings = [f for f in warnings if warnings_fail and not (closed and is_drift(f))]
    drift = [f for f in errors if closed and is_drift(f)]
    # (not ``f not in drift``: that compares findings field by field,
    # diffs included, errors x drift times)
    real = [f for f in errors if not (closed and is_drift(f))]
    if real or failing_warnings:
        parts = []
        if real:
            parts.append(f"{len(real)} error finding(s): {_summary(_counts_by_rule(real))}")
        if failing_warnings:
            parts.append(f"{len(failing_warnings)} warning finding(s), which fail at RISK_TIER {tier or '?'} "
                         f"(policy.risk.{tier or '?'}.warnings_fail): {_summary(_counts_by_rule(failing_warnings))}")
        if drift:
            parts.append(f"besides {len(drift)} drift finding(s): {_summary(_counts_by_rule(drift))}")
        return Decision(Verdict.FAIL, "; ".join(parts), tuple(_counts_by_rule(real + failing_warnings)))
    if drift:
        return Decision(Verdict.OUTDATED, _outdated_reason(drift), tuple(_counts_by_rule(drift)))
    tail = f"; {len(warnings)} warning(s) to review" if warnings else ""
    in_name_only = next((f for f in findings if closed and f.waived_by is None and stale_in_name_only(f)), None)
    if in_name_only is not None:
        tail += (f"; anchored to v{in_name_only.data.get('packet_version')} but none of its anchored sections "
                 f"changed by v{in_name_only.data.get('current_version')} (govcheck reanchor can move the pointers)")
    return Decision(Verdict.PASS, f"no unwaived error findings{tail}")


def _outdated_reason(drift: Sequence[Finding]) -> str:
    """Why a closed packet is OUTDATED: which versions, which sections."""
    stale = next((f for f in drift if f.rule == "spec-stale"), None)
    parts = []
    if stale is not None:
        old, new = stale.data.get("packet_version"), stale.data.get("current_version")
        changed = stale.data.get("changed_sections")
        if changed:
            what = f"anchored sections changed since: {', '.join(changed)}"
        elif changed is None and "old_spec_source" in stale.data:
            what = (f"the text of v{old} is not in the repo or its git history, so which anchored sections "
                    f"changed is unknown: re-anchoring means re-reading each anchored section in v{new}")
        elif changed is None:
            what = "the packet anchors no numbered section, so only the versions can be compared"
        else:
            what = "no anchored section changed"
        parts.append(f"closed work judged against v{old}; SPEC_CURRENT is v{new}; {what}")
    moved = [f for f in drift if f.rule != "spec-stale"]
    if moved:
        parts.append(f"{len(moved)} anchor(s) moved or vanished with the spec: {_summary(_counts_by_rule(moved))}")
    parts.append("re-anchor in a new packet only if the current text's changes are needed")
    return "; ".join(parts)


def decide_packet(packet: Packet, findings: Sequence[Finding], config: Config) -> Decision:
    return decide(findings, risk_policy(packet, config), packet.risk, closed=packet.status_class == "done")


def overall(results: Sequence[PacketResult], repo_findings: Sequence[Finding]) -> Verdict:
    """The run's verdict: the worst of the packets' verdicts and the
    repository findings'."""
    worst = decide(repo_findings).verdict
    for r in results:
        if r.verdict.rank > worst.rank:
            worst = r.verdict
    return worst


def exit_code(verdict: Verdict, fail_on_outdated: bool = False) -> int:
    """0 for PASS (and OUTDATED unless it is made to fail the gate), 1 otherwise."""
    if verdict is Verdict.FAIL or (verdict is Verdict.OUTDATED and fail_on_outdated):
        return 1
    return 0
