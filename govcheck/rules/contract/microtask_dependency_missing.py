"""microtask-dependency-missing: a microtask depends on one the packet does
not have."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import microtasks, mt_id, readable
from govcheck.analysis.era import Since
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_MT_ID_RE = re.compile(r"^MT-\d+$")


@rule(
    "microtask-dependency-missing",
    severity=ERROR,
    summary="A microtask depends on a microtask the packet does not have",
    since=Since(why=(
        "The rule reads the MT-NNN.json microtask contracts in the packet folder, wherever they exist; a "
        "packet without them has nothing to judge.")),
)
def microtask_dependency_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every microtask id a ``MT-NNN.json`` depends on (``lifecycle.depends_on``,
    ``depends_on``, ``depends_on_mts``; an entry naming several ids,
    ``"MT-003; MT-007"``, or a range, ``"MT-001 through MT-025"``, counts
    as each id) is the ``mt_id`` of another microtask contract in the same
    packet folder. An entry that names no microtask id (free text, another
    packet) is not judged.

    Why
    A dependency on a microtask that does not exist can never be met: the
    reference's board keeps the dependent microtask waiting forever, or a
    renumbering left the graph pointing at the wrong work.

    How to fix
    Correct the id, add the missing microtask contract, or drop the
    dependency.

    Example
        MT-002.json:12: MT-002 depends on MT-009, which this packet does not have
    """
    mts = readable(microtasks(packet, ctx))
    known = {mt_id(m) for m in mts}
    for mt in mts:
        for dep in mt.depends_on_ids:
            if _MT_ID_RE.match(dep) and dep not in known:
                line = next((d.line for d in mt.depends_on if dep in d.text.upper()), 1)
                yield hit(
                    f"{mt_id(mt)} depends on {dep}, which this packet does not have",
                    path=mt.path, line=line, data={"microtask": mt_id(mt), "dependency": dep},
                )
