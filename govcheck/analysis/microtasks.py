"""Checks over one packet's microtask contracts: statuses outside the
vocabulary, dependencies on microtasks that do not exist, dependency
cycles, and the "phantom completion" of the contract era (a packet marked
Done or Validated while some of its microtasks are still open), which the
reference's own checks do not catch.

Pure functions over parsed models; the caller groups microtasks by packet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from govcheck.model.contract import MicrotaskContract, WorkPacketContract
from govcheck.parse.contract import classify_microtask_status

# Packet statuses that claim the work is finished ("Done", "Done
# [VALIDATED]", "Validated (PASS)", "PASSED_INTEGRATION_VALIDATION_V3").
_FINISHED_WORDS = ("DONE", "VALIDATED", "PASSED")


@dataclass(frozen=True)
class MicrotaskIssue:
    """kind: ``unknown-status``, ``missing-dependency``, ``dependency-cycle``,
    ``phantom-completion``. ``mt_ids``: the microtasks involved (for a
    cycle, in cycle order); ``path``/``line``: where to point."""

    kind: str
    path: str
    line: int
    mt_ids: tuple[str, ...]
    message: str


def _mt_id(mt: MicrotaskContract) -> str | None:
    return mt.mt_id.text.strip().upper() if mt.mt_id else None


def packet_claims_finished(status: str | None) -> bool:
    if not status:
        return False
    upper = status.upper()
    if "FAIL" in upper:
        # "Validated (FAIL)": validation ran and the work was refused, so
        # open microtasks are expected there.
        return False
    return any(word in upper for word in _FINISHED_WORDS)


def check_microtasks(microtasks: Iterable[MicrotaskContract]) -> tuple[MicrotaskIssue, ...]:
    """Status vocabulary, missing dependencies and cycles among one
    packet's microtasks."""
    mts = [m for m in microtasks if m.readable]
    by_id = {i: m for m in mts if (i := _mt_id(m))}
    issues: list[MicrotaskIssue] = []
    for m in mts:
        mid = _mt_id(m) or m.path
        if m.status is not None and classify_microtask_status(m.status.text) == "unknown":
            issues.append(MicrotaskIssue(
                "unknown-status", m.path, m.status.line, (mid,),
                f"{mid}: status {m.status.text!r} ({m.status.field}) is outside the microtask vocabulary",
            ))
        for dep in m.depends_on_ids:
            if dep not in by_id:
                line = next((d.line for d in m.depends_on if dep in d.text.upper()), 1)
                issues.append(MicrotaskIssue(
                    "missing-dependency", m.path, line, (mid, dep), f"{mid} depends on {dep}, which this packet does not have",
                ))
    issues.extend(_cycles(by_id))
    return tuple(issues)


def _cycles(by_id: dict[str, MicrotaskContract]) -> list[MicrotaskIssue]:
    """Each dependency cycle once, found by an iterative depth-first walk
    (no recursion: a packet can hold hundreds of microtasks)."""
    issues: list[MicrotaskIssue] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    seen_cycles: set[frozenset] = set()
    for start in sorted(by_id):
        if state.get(start):
            continue
        path: list[str] = [start]
        iters = [iter(by_id[start].depends_on_ids)]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if nxt not in by_id:
                continue
            if state.get(nxt) == 1:
                cycle = tuple(path[path.index(nxt):])
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    first = by_id[cycle[0]]
                    line = first.depends_on[0].line if first.depends_on else 1
                    issues.append(MicrotaskIssue(
                        "dependency-cycle", first.path, line, cycle,
                        "dependency cycle: " + " -> ".join(cycle + (cycle[0],)),
                    ))
                continue
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(by_id[nxt].depends_on_ids))
    return issues


def check_phantom_completion(packet: WorkPacketContract, microtasks: Iterable[MicrotaskContract]) -> MicrotaskIssue | None:
    """A packet whose status claims it is finished while microtasks are not
    done (open, or with a status outside the vocabulary)."""
    if packet.status is None or not packet_claims_finished(packet.status.text):
        return None
    unfinished = tuple(sorted(
        _mt_id(m) or m.path for m in microtasks
        if m.readable and classify_microtask_status(m.status.text if m.status else None) != "done"
    ))
    if not unfinished:
        return None
    return MicrotaskIssue(
        "phantom-completion", packet.path, packet.status.line, unfinished,
        f"packet status is {packet.status.text!r} but {len(unfinished)} microtask(s) are not done: {', '.join(unfinished)}",
    )
