"""projection-drift: a generated Markdown projection that no longer matches
its contract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.contracts import packet_folder
from govcheck.analysis.era import Since
from govcheck.analysis.projection import GENERATED_IN_SYNC, ProjectionIssue, check_contract_file, contract_files_in
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_WHAT = {
    "source-hash": "contract changed since the projection was stamped (source_hash)",
    "projection-hash": "projection edited after it was generated (projection_hash)",
    "projection-missing": "projection the contract says was generated is missing",
    "projection-outside-repo": "projection path leaves the repository",
    "projection-unreadable": "projection cannot be read",
    "header-missing": "projection has no HANDSHAKE_GENERATED_PROJECTION header",
    "path-required": "markdown_projection.path is missing",
}


def _promised(status: str | None, issues: list[ProjectionIssue]) -> bool:
    """Whether the contract promises a projection that matches: it says
    GENERATED_IN_SYNC, or it carries a hash that disagrees. A contract with
    no projection block, or one still pending, promises nothing yet."""
    if (status or "").strip().upper() == GENERATED_IN_SYNC:
        return True
    return any(i.kind in ("source-hash", "projection-hash") and i.found for i in issues)


def _describe(issue: ProjectionIssue) -> str:
    text = _WHAT.get(issue.kind, issue.message.split(": ", 1)[-1])
    if issue.kind in ("source-hash", "projection-hash"):
        text += f": expected {issue.expected}, stamped {issue.found or 'nothing'}"
    return text


@rule(
    "projection-drift",
    severity=ERROR,
    summary="A generated packet.md / MT-NNN.md / refinement.md no longer matches its contract",
    since=Since(why=(
        "The rule recomputes the stamps of generated projections, which only contract-era packets have; "
        "a Markdown packet has no contract to drift from.")),
)
def projection_drift(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every contract in the packet folder (``packet.json``,
    ``refinement.json``, ``MT-NNN.json``) whose ``markdown_projection``
    says ``GENERATED_IN_SYNC`` is recomputed exactly as the reference's
    ``packet-contract-projection-check.mjs`` does: the contract's
    ``source_hash``, the Markdown's ``projection_hash``, the stamp fields
    and the projection's ``HANDSHAKE_GENERATED_PROJECTION`` header. A
    projection the contract says was generated but that is missing is
    drift too. A contract whose projection is ``GENERATED_PENDING`` or
    ``NOT_GENERATED_*`` (or a JSON-first contract) is not drift: no
    Markdown is promised yet; only a hash it does carry must match. One
    finding per contract, at the stamp's line, naming every disagreement.

    Why
    Reviewers read the Markdown, machines read the JSON. A hand-edited
    projection says something the contract does not; a contract changed
    without regenerating the projection leaves the Markdown stale. Either
    way the two views of the packet disagree.

    How to fix
    Edit the contract, never the projection, and regenerate the
    projection with the reference's generator (which re-stamps both
    hashes). To keep a Markdown edit, move it into the contract first.

    Example
        packet.json:41: projection edited after it was generated (projection_hash): expected 3f0c..., stamped 9a1b...
    """
    folder = packet_folder(packet)
    if folder is None:
        return
    for path in contract_files_in(ctx.repo, folder):
        result = check_contract_file(ctx.repo, path)
        if not result.is_drift:
            continue
        issues = [i for i in result.issues if i.kind != "invalid-contract"]  # contract-invalid's
        if not issues or not _promised(result.projection_status, issues):
            continue
        first = next((i for i in issues if i.file == path), issues[0])
        what = "; ".join(dict.fromkeys(_describe(i) for i in issues))
        yield hit(
            what,
            path=first.file, line=first.line,
            data={"contract": path, "projection": result.projection_path, "status": result.projection_status,
                  "kinds": [i.kind for i in issues],
                  "details": [i.message for i in issues]},
        )
