"""contract-invalid: a contract file that cannot be read as its schema says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import microtasks
from govcheck.analysis.era import Since
from govcheck.model import Finding, Packet
from govcheck.model.contract import ContractProblem
from govcheck.rules import ERROR, WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

# Problems that leave the file unusable or name the wrong kind of contract
# are errors; two generator variants of one field disagreeing is a warning
# (the reference's readers pick one, as govcheck does).
_WARNING_KINDS = frozenset({"conflicting-field", "unexpected-type"})
_PLACED_KINDS = frozenset({"invalid-json", "too-deep"})


def _finding(path: str, problem: ContractProblem) -> Finding:
    # A syntax error and a nesting too deep to read are named by their place in the text.
    where = f"line {problem.line} column {problem.column}: " if problem.kind in _PLACED_KINDS else ""
    return hit(
        f"{where}{problem.message}",
        path=path, line=problem.line,
        data={"kind": problem.kind, "file": path, "column": problem.column},
        severity=WARNING if problem.kind in _WARNING_KINDS else None,
    )


@rule(
    "contract-invalid",
    severity=ERROR,
    summary="A packet.json or MT-NNN.json contract is not valid JSON or not the contract its schema names",
    since=Since(why=(
        "The rule reads packet.json and MT-NNN.json contracts, which only contract-era packets have (and "
        "which era.py counts as newest); a Markdown packet has none to judge.")),
)
def contract_invalid(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet's ``packet.json`` and every ``MT-NNN.json`` beside it parse
    as JSON the way the reference's tools read them (no BOM, no NaN, not
    nested beyond what a decoder follows), hold an object, carry the
    ``schema_id`` of their kind (``hsk.work_packet_contract@1``,
    ``hsk.microtask_contract@1``) and their identity field (``wp_id``,
    ``mt_id``). A syntax error, and a nesting deeper than the reader
    goes, are named by line and column. Two generator variants of one
    field that disagree (``status`` vs ``lifecycle.status``) are a
    warning.

    Why
    The contract is the packet's authority. When it cannot be read,
    govcheck does not quietly fall back to the Markdown projection: the
    projection is only a view, and the reference's own gates stop on the
    same file. What the projection says is still checked, but the packet
    fails on this finding.

    How to fix
    Fix the JSON at the line named (a trailing comma, a stray quote, a BOM
    saved by an editor), then regenerate the projection with the
    reference's generator so the stamps match again.

    Example
        packet.json:4: line 4 column 3: Expecting property name enclosed in double quotes
    """
    contract = packet.contract
    if contract is not None:
        for problem in contract.problems:
            yield _finding(contract.path, problem)
    for mt in microtasks(packet, ctx):
        for problem in mt.problems:
            yield _finding(mt.path, problem)
