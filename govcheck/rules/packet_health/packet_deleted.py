"""The ``packet-deleted`` rule. Its docstring is its documentation: ``govcheck explain packet-deleted``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding
from govcheck.rules import WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "packet-deleted",
    severity=WARNING,
    scope="repo",
    summary="The change under review deletes a packet (govcheck ci)",
)
def packet_deleted(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Under ``govcheck ci``: a packet file or folder that existed at the merge
    base and is gone at HEAD (and was not renamed). Outside ``ci`` nothing
    is reported.

    Why
    Packets are the project's record of what was asked and accepted;
    deleting one loses its history and its validation reports. Usually a
    packet is superseded (a ``-vN`` revision, or ``_archive/``), not deleted.

    How to fix
    Restore it and mark it superseded, or move it to ``_archive/``; if the
    deletion is intended, say so in the pull request (or waive the rule in
    govcheck.yaml for that id).

    Example
    ``.GOV/task_packets/WP-1-Old-Idea.md`` deleted in the pull request.
    """
    change = ctx.change_set
    if change is None:
        return
    for wp_id, path in change.deleted:
        yield hit(f"{wp_id} was deleted in {change.base[:12]}..{change.head[:12]}", path=path, line=1,
                  data={"wp_id": wp_id, "path": path})
