"""``--shard K/N``: split ``validate --all`` into N parts that take about
the same time, so CI can run them as a matrix and ``govcheck merge`` the
JSON reports.

Every part computes the same plan independently, so the plan may depend
only on what every job sees alike: the packet list (the repo's order), the
packets' sizes, and the command durations recorded in the state folder
(``cache/durations.json``, restored from the same CI cache by every job).
Packets are dealt heaviest first to the lightest part so far (longest
processing time first: within a few percent of the best split when there
are many more packets than parts). A packet's weight is its recorded
command time when there is one; otherwise its size, in seconds at the rate
the recorded packets ran (or in bytes when none did: parsing and checking
cost grows with size). The plan's digest goes into each part's report, and
merge refuses parts whose plans differ (a job that restored another cache).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from govcheck.engine.verdict import overall
from govcheck.errors import UsageError
from govcheck.model import PacketResult, Report
from govcheck.repo.repository import PacketLocation, Repo
from govcheck.util.fsutil import atomic_write_bytes

DURATIONS_FILE = Path("cache") / "durations.json"


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
            raise UsageError(f"--shard {text}: give K/N with 1 <= K <= N (e.g. 2/4)")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def runs_repo_checks(self) -> bool:
        # Repository-level checks (task board, spec files) run once.
        return self.index == 1


def load_durations(state_root: Path) -> dict[str, float]:
    """Recorded seconds of each packet's TEST_PLAN commands ({} when none)."""
    try:
        doc = json.loads((state_root / DURATIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    packets = doc.get("packets") if isinstance(doc, dict) else None
    if not isinstance(packets, dict):
        return {}
    return {str(k): float(v) for k, v in packets.items() if isinstance(v, (int, float)) and v >= 0}


def record_durations(state_root: Path, report: Report) -> None:
    """Add the packets' command times of this run to the recorded ones (a
    result served from the run cache keeps the time it took when it ran)."""
    fresh = {}
    for r in report.packets:
        ran = [c for c in r.commands if c.duration_s is not None and c.status != "skipped"]
        if ran:
            fresh[r.packet.id] = round(sum(c.duration_s or 0.0 for c in ran), 3)
    if not fresh:
        return
    merged = {**load_durations(state_root), **fresh}
    body = json.dumps({"packets": dict(sorted(merged.items()))}, indent=1, sort_keys=True) + "\n"
    try:
        (state_root / DURATIONS_FILE).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(state_root / DURATIONS_FILE, body.encode("utf-8"))
    except OSError:
        pass  # recorded durations only improve the balance


def weights(repo: Repo, locations: Sequence[PacketLocation], durations: Mapping[str, float]) -> list[float]:
    sizes = []
    for loc in locations:
        size = 0
        for path in (loc.path, loc.json_path):
            if path and repo.is_file(path):
                size += len(repo.read_bytes(path))
        sizes.append(float(size + 1))  # +1: an empty packet still costs something
    known = [(durations[loc.id], size) for loc, size in zip(locations, sizes) if loc.id in durations]
    rate = sum(d for d, _ in known) / sum(s for _, s in known) if known and sum(d for d, _ in known) > 0 else None
    if rate is None:
        return sizes
    return [durations[loc.id] if loc.id in durations else size * rate for loc, size in zip(locations, sizes)]


def plan(ids: Sequence[str], loads: Sequence[float], count: int) -> list[int]:
    """The part (0-based) of each packet: heaviest first to the lightest
    part (ties: the lower part), deterministic for the same inputs."""
    totals = [0.0] * count
    assignment = [0] * len(ids)
    for i in sorted(range(len(ids)), key=lambda i: (-loads[i], ids[i])):
        part = min(range(count), key=lambda p: (totals[p], p))
        assignment[i] = part
        totals[part] += loads[i]
    return assignment


def digest(ids: Sequence[str], assignment: Sequence[int], count: int) -> str:
    raw = json.dumps([count, list(ids), list(assignment)])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------
# govcheck merge
# --------------------------------------------------------------------------

_FIXED = re.compile(r"^Fixed since the baseline: (\S+) on (the repo|\S+): ")
_KNOWN = re.compile(r"^(Baseline .+: )(\d+)( known finding\(s\) not counted)$")


def _merge_notes(parts: Sequence[Report]) -> tuple[str, ...]:
    """The notes one run over every packet would have written: the
    baseline's count summed, its "fixed" entries in its order (by packet,
    then rule; each entry comes from the one part that validated its
    packet, repo-level ones from part 1), other notes from part 1."""
    first = parts[0].notes
    known = 0
    fixed: list[str] = []
    for part in parts:
        for note in part.notes:
            m = _KNOWN.match(note)
            if m:
                known += int(m.group(2))
            elif _FIXED.match(note):
                fixed.append(note)

    def key(note: str) -> tuple[str, str]:
        m = _FIXED.match(note)
        assert m is not None
        rule, packet = m.group(1), m.group(2)
        return ("" if packet == "the repo" else packet, rule)

    fixed.sort(key=key)  # stable: a part's own order stays where keys tie
    out: list[str] = []
    for note in first:
        m = _KNOWN.match(note)
        if m:
            out.append(f"{m.group(1)}{known}{m.group(3)}")
            out += fixed
        elif not _FIXED.match(note):
            out.append(note)
    return tuple(out)


def merge(parts: Sequence[Report]) -> Report:
    """One report from the reports of every part of a ``--shard K/N`` run,
    as a single run over the same state would have written it. Refuses
    parts that do not make up one run (UsageError)."""
    if not parts:
        raise UsageError("merge: give the JSON reports of every part")
    missing = [n for n, p in enumerate(parts, 1) if p.shard is None]
    if missing:
        raise UsageError(f"merge: report {missing[0]} is not from a --shard run")
    parts = sorted(parts, key=lambda p: p.shard.index)  # type: ignore[union-attr]
    first = parts[0].shard
    assert first is not None
    indexes = [p.shard.index for p in parts]  # type: ignore[union-attr]
    if indexes != list(range(1, first.count + 1)):
        raise UsageError(f"merge: expected parts 1..{first.count} once each, got {', '.join(map(str, indexes))}")
    for p in parts[1:]:
        s = p.shard
        assert s is not None
        if (s.count, s.total, s.plan) != (first.count, first.total, first.plan):
            raise UsageError(f"merge: part {s.index} was planned differently from part 1 (another packet list or "
                             "another durations cache): run every part on the same commit with the same cache")
        if (p.tool_version, p.spec_current, p.receipt, p.generated_at[:10]) != (
                parts[0].tool_version, parts[0].spec_current, parts[0].receipt, parts[0].generated_at[:10]):
            raise UsageError(f"merge: part {s.index} saw another state (govcheck version, SPEC_CURRENT, config or date)")
    placed: dict[int, PacketResult] = {}
    for p in parts:
        assert p.shard is not None
        if len(p.shard.positions) != len(p.packets):
            raise UsageError(f"merge: part {p.shard.index} lists {len(p.packets)} packets for "
                             f"{len(p.shard.positions)} places")
        for pos, result in zip(p.shard.positions, p.packets):
            if pos in placed:
                raise UsageError(f"merge: packet place {pos} is in two parts")
            placed[pos] = result
    if sorted(placed) != list(range(first.total)):
        raise UsageError(f"merge: the parts hold {len(placed)} of {first.total} packets")
    packets = tuple(placed[i] for i in range(first.total))
    base = parts[0]
    return Report(
        generated_at=base.generated_at,
        repo=base.repo,
        verdict=overall(packets, base.repo_findings),
        spec_current=base.spec_current,
        packets=packets,
        repo_findings=base.repo_findings,
        receipt=base.receipt,
        tool_version=base.tool_version,
        notes=_merge_notes(parts),
        rules=base.rules,
        shard=None,
        spec_sections=base.spec_sections,
        board_path=base.board_path,
        board=base.board,
    )
