"""The ``gate-changed`` rule. Its docstring is its documentation: ``govcheck explain gate-changed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding
from govcheck.rules import ERROR, WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "gate-changed",
    severity=ERROR,
    scope="repo",
    summary="The change under review edits the config or baseline that judges it (govcheck ci)",
)
def gate_changed(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Under ``govcheck ci``: the change's ``govcheck.yaml`` (or
    ``[tool.govcheck]``) or its baseline file differs from the merge
    base's. ci judges every change with the merge base's config and
    baseline, so the edit is not applied; this finding asks a reviewer to
    look at it. Outside ``ci`` nothing is reported.

    Why
    The pull request is what the gate judges: if it could switch a rule
    off, or record its own new findings in the baseline, it would pass
    itself. A regenerated baseline in a change that also adds a failing
    packet is exactly that.

    How to fix
    Land the config or baseline change in a pull request of its own, where
    a reviewer sees it alone; or set ``ci: {allow_config_changes: true}``
    in the config of the target branch, which reports the change as a
    warning instead.

    Example
    A pull request that adds ``WP-1-New`` with an error and commits a
    ``.govcheck-baseline.json`` listing that error.
    """
    change = ctx.change_set
    if change is None:
        return
    for gc in getattr(change, "gate_changes", ()):
        what = {"config": "configuration", "baseline": "baseline"}.get(gc.kind, gc.kind)
        if gc.base_sha256 is None:
            how = "adds"
        elif gc.head_sha256 is None:
            how = "removes"
        else:
            how = "changes"
        detail = f" ({gc.detail})" if gc.detail else ""
        verdict = ("allowed by the base config's ci.allow_config_changes" if gc.allowed
                   else "needs review: land it on its own, or allow it in the base config (ci.allow_config_changes)")
        yield hit(
            f"the change {how} the {what} {gc.path}; it is judged with the merge base's {what} instead, "
            f"not its own{detail}; {verdict}",
            path=gc.path, line=1, severity=WARNING if gc.allowed else None,
            data={"kind": gc.kind, "path": gc.path, "base_sha256": gc.base_sha256,
                  "head_sha256": gc.head_sha256, "allowed": gc.allowed},
        )
