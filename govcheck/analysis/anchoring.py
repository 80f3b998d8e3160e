"""Which spec version a packet is anchored to, from all the ways packets
state it.

Packets often state a version more than once (a pinned SPEC_CURRENT, a
``Master Spec:`` field, a SPEC_ANCHOR naming the spec file, prose). The most
deliberate statement wins, in this order:

1. ``SPEC_ANCHOR: Handshake_Master_Spec_v02.123.md 10.5.5.2`` (generation 2:
   the sections were read in exactly that file);
2. ``SPEC_BASELINE`` (the spec the packet was written against; its
   SPEC_TARGET defers to SPEC_CURRENT "at validation time", which is the
   comparison govcheck makes);
3. a pinned ``SPEC_CURRENT: Handshake_Master_Spec_v02.85.md``;
4. ``Master Spec: Handshake_Master_Spec_v02.90.md (...)``;
5. ``SPEC_CURRENT: docs/SPEC_CURRENT.md (Master Spec v02.91)``;
6. a bare version beside an anchor (``SPEC_ANCHOR: 7.6.3.15 (v02.36)``);
7. prose (``per Master Spec v02.90 §2.3.12``), the highest one stated.
"""

from __future__ import annotations

from dataclasses import dataclass

from govcheck.model import Packet, SpecRef
from govcheck.parse.versions import version_key

_PRIORITY = {
    "json": 0,
    "anchor-file": 1,
    "baseline": 2,
    "pinned": 3,
    "master-spec": 4,
    "spec-field": 4,
    "spec-current-note": 5,
    "anchor": 6,
    "inline": 7,
}


# How each kind of statement is named in messages and reports.
BASIS_LABELS = {
    "anchor": "SPEC_ANCHOR",
    "baseline": "SPEC_BASELINE",
    "pinned": "pinned SPEC_CURRENT",
    "master-spec": "Master Spec field",
    "spec-field": "spec field",
    "spec-current-note": "SPEC_CURRENT note",
    "inline": "stated in prose",
    "json": "packet.json",
}


def basis_label(kind: str | None) -> str:
    return BASIS_LABELS.get(kind or "", kind or "unknown")


@dataclass(frozen=True)
class Anchoring:
    version: str
    ref: SpecRef  # the statement the version was taken from
    conflicts: tuple[SpecRef, ...] = ()  # equally authoritative refs naming another version


def _rank(ref: SpecRef) -> int:
    if ref.kind == "anchor" and ref.file:
        return _PRIORITY["anchor-file"]
    return _PRIORITY.get(ref.kind, 9)


def anchored_version(packet: Packet) -> Anchoring | None:
    """The packet's anchoring (None when it states no version). The engine
    asks for it from several rules in a row for one packet: the answer for
    the last packet object asked about is kept (packets are immutable)."""
    global _LAST
    last = _LAST
    if last[0] is packet:
        return last[1]
    found = _anchored_version(packet)
    _LAST = (packet, found)
    return found


_LAST: tuple[Packet | None, Anchoring | None] = (None, None)


def _anchored_version(packet: Packet) -> Anchoring | None:
    refs = [r for r in packet.spec_refs if r.version]
    if not refs:
        return None
    best_rank = min(_rank(r) for r in refs)
    top = [r for r in refs if _rank(r) == best_rank]
    chosen = max(top, key=lambda r: (version_key(r.version or "0.0"), -r.line))
    # Disagreement among the deliberate statements (not prose) is worth a
    # finding: the validator cannot tell which spec the author read.
    deliberate = [r for r in refs if _rank(r) <= _PRIORITY["spec-current-note"]]
    conflicts = tuple(
        r for r in deliberate if version_key(r.version or "0.0") != version_key(chosen.version or "0.0")
    )
    return Anchoring(chosen.version or "", chosen, conflicts)


def version_label(version: str) -> str:
    """How messages write a spec version: ``02.93`` -> ``v02.93``."""
    return f"v{version}"
