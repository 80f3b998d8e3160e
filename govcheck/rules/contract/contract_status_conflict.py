"""contract-status-conflict: packet.json and its Markdown projection state
different lifecycle statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.era import Since
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "contract-status-conflict",
    severity=ERROR,
    summary="packet.json and packet.md state different statuses (Ready for Dev vs Done)",
    since=Since(why=(
        "The rule compares packet.json with its packet.md projection, which only contract-era packets "
        "have; a Markdown packet has no contract to disagree with.")),
)
def contract_status_conflict(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    When a packet has both a ``packet.json`` and a ``packet.md``, the
    contract's ``lifecycle.status`` and the projection's STATUS line name
    the same kind of state (ready, active, done, blocked, stub, superseded).
    Wording differences within one kind (``Done`` and ``Done [VALIDATED]``)
    are not reported. A status outside the vocabulary counts as done when
    it says so (``PASSED_INTEGRATION_VALIDATION_V3``); any other status
    govcheck cannot classify is not compared.
    govcheck goes on with the contract's status (the contract is the
    authority) and reports the disagreement, because it cannot know which
    one is true.

    Why
    The projection is a view of the contract, so they must agree. They do
    not in packets converted from Markdown by an importer that did not
    recognise every status spelling: it wrote its default (Ready for Dev)
    into the contract while the projection kept the old text (Done), and
    the hashes still match because the projection body is that old text.
    A reader of the Markdown and a tool reading the JSON then see two
    different packets; the task board usually sides with the Markdown.

    How to fix
    Set ``lifecycle.status`` in packet.json to the real status and
    regenerate the projection, so both say the same.

    Example
        packet.md:7: packet.json says 'Ready for Dev' (lifecycle.status, line 12) but packet.md says 'Done'
    """
    md = packet.projection_status
    contract = packet.contract
    if md is None or contract is None or contract.status is None:
        return
    yield hit(
        f"{contract.path} says {contract.status.text.strip()!r} ({contract.status.field}, line {contract.status.line})"
        f" but the projection says {md.value!r}; the contract's status is used",
        line=md.line,
        data={"contract_status": contract.status.text.strip(), "projection_status": md.value,
              "contract": contract.path, "contract_line": contract.status.line},
    )
