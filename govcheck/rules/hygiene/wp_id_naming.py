"""The ``wp-id-naming`` rule. Its docstring is its documentation: ``govcheck explain wp-id-naming``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.era import Since
from govcheck.analysis.packet_text import field_line
from govcheck.analysis.wp_ids import REVISION_RE
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


# Anything that looks like a revision suffix but is not exactly ``-vN``.
_BAD_REVISION_RE = re.compile(r"(?i)[-_. ](?:v|rev|revision|version)[-_. ]?(\d+(?:\.\d+)*)$")


_DATE_RES = (
    (re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T?\d{4,6})?(?!\d)"), "a date stamp"),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}[-_.](?:0[1-9]|1[0-2])[-_.](?:0[1-9]|[12]\d|3[01])(?!\d)"), "a date stamp"),
    (re.compile(r"(?<![A-Za-z0-9])T(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?(?![A-Za-z0-9])"), "a time stamp"),
)


def naming_problems(wp_id: str) -> list[tuple[str, str]]:
    """``(problem, detail)`` pairs for one id; empty when it is well named."""
    out: list[tuple[str, str]] = []
    if not wp_id.startswith("WP-"):
        out.append(("prefix", "does not start with 'WP-'"))
    for regex, what in _DATE_RES:
        for m in regex.finditer(wp_id):
            out.append(("date", f"contains {what} '{m.group(0)}'"))
    if not REVISION_RE.search(wp_id):
        m = _BAD_REVISION_RE.search(wp_id)
        if m:
            out.append(("revision", f"revision suffix '{wp_id[m.start():]}' is not '-vN' (N a whole number from 1, no leading zero)"))
    return out


@rule(
    "wp-id-naming",
    severity=ERROR,
    codex="CX-580C",
    summary="A packet id holds a date or time stamp, or a revision suffix other than -vN",
    since=Since(written="2026-01-01", why=(
        "The only date-stamped ids in the history were created on 2025-12-28; no packet written in 2026 "
        "carries one: the naming rule [CX-580C] applies from then.")),
    process=True,
)
def wp_id_naming(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet id (its file or folder name) starts with ``WP-``, holds no
    date or time stamp (``20260112``, ``2026-01-12``, ``20260112T1530``,
    ``T1530``), and a revision is written ``-vN`` at the end: ``-v2``,
    ``-v10``. Flagged revision forms: ``-V2``, ``_v2``, ``-rev2``,
    ``-version2``, ``-v02`` (a leading zero makes ``-v02`` and ``-v2`` two
    names for one revision), ``-v0`` and dotted ``-v0.1``. A version number
    inside the name (``WP-1-MEX-v1.2-Runtime``) is part of the name and is
    not a revision.

    Why
    CX-580C: ids are stable planning identifiers. Dates make every revision
    a new, unrelated id, and the traceability registry and lineage audit
    can only follow revisions written ``-vN``.

    How to fix
    Rename the packet to ``WP-{phase}-{name}`` or ``WP-{phase}-{name}-vN``
    and update the task board and the traceability registry. Historical
    date-stamped packets can be waived (``WAIVERS GRANTED`` naming
    ``wp-id-naming``) rather than renamed.

    Example
        WP-1-Storage-Foundation-20251228   (date stamp)
        WP-1-Atelier-Lens-v0.1             (revision not -vN)
    """
    for kind, detail in naming_problems(packet.id):
        yield hit(f"packet id '{packet.id}' {detail}", line=field_line(packet, "WP_ID", "TASK_ID"), data={"id": packet.id, "problem": kind})
