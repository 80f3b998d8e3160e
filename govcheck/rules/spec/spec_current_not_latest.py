"""The ``spec-current-not-latest`` rule. Its docstring is its documentation: ``govcheck explain spec-current-not-latest``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "spec-current-not-latest",
    severity=ERROR,
    scope="repo",
    summary="The repo holds a newer spec file than the one SPEC_CURRENT names",
)
def spec_current_not_latest(ctx: Context) -> Iterator[Finding]:
    """What it checks
    The highest-versioned master spec file (or indexed spec bundle) in the
    repo's spec folders must be the one SPEC_CURRENT names (the reference
    project's spec-current-check).

    Why
    A newer spec committed without moving SPEC_CURRENT means every packet
    is being validated against superseded text.

    How to fix
    Point SPEC_CURRENT at the newest spec, or move the newer file out of the
    spec folders if it is a draft.

    Example
    ``Handshake_Master_Spec_v02.124.md`` at the root while SPEC_CURRENT
    names ``Handshake_Master_Spec_v02.123.md``.
    """
    latest = ctx.repo.latest_spec_version()
    sc = ctx.spec_current
    if latest is not None and compare_versions(latest.version, sc.version) > 0:
        yield hit(
            f"{latest.path} (v{latest.version}) is newer than the spec SPEC_CURRENT names (v{sc.version})",
            path=sc.path,
            line=sc.line,
            data={"latest": latest.path, "latest_version": latest.version, "current_version": sc.version},
        )
