"""The ``spec-current-mismatch`` rule. Its docstring is its documentation: ``govcheck explain spec-current-mismatch``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding
from govcheck.parse.versions import compare_versions
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


@rule(
    "spec-current-mismatch",
    severity=ERROR,
    scope="repo",
    summary="A compatibility copy of SPEC_CURRENT disagrees with the authoritative one",
)
def spec_current_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it checks
    When the repo keeps more than one SPEC_CURRENT (for example the
    authoritative ``.GOV/roles_shared/SPEC_CURRENT.md`` and a compatibility
    copy in ``docs/``), they must name the same spec version.

    Why
    Tools and people reading the old location validate against another
    spec than the gate does.

    How to fix
    Update the copy, or delete it once nothing reads it.

    Example
    ``.GOV/spec/SPEC_CURRENT.md`` names v02.180, ``docs/SPEC_CURRENT.md``
    still names v02.150.
    """
    sc = ctx.spec_current
    for other in ctx.repo.compat_spec_currents():
        if isinstance(other, str):
            yield hit(f"compatibility copy of SPEC_CURRENT is unreadable: {other}", path=sc.path, line=sc.line)
        elif compare_versions(other.version, sc.version) != 0:
            yield hit(
                f"{other.path} names v{other.version} but {sc.path} names v{sc.version}",
                path=other.path,
                line=other.line,
                data={"copy": other.path, "copy_version": other.version, "current_version": sc.version},
            )
