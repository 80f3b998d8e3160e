"""spec-bundle-integrity: the indexed spec bundle's recorded module hashes
against the module files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.bundle import INDEX_FILE, MANIFEST_FILE, BundleIntegrity, check_bundle_index, find_bundles
from govcheck.analysis.era import Since
from govcheck.model import Finding
from govcheck.rules import ERROR, WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_LABEL_ONLY = "version-label"
# An index listing no modules (or bare file names) records no hash: there
# is nothing to hold the files against, so nothing is claimed.
_NOTHING_RECORDED = frozenset({"no-modules", "index-missing"})


def _bundles(ctx: Context) -> list[str]:
    current = ctx.spec_current.bundle
    if not ctx.options("spec-bundle-integrity").get("all_bundles", False):
        return [current] if current else []
    spec_dir = current.rsplit("/", 1)[0] if current and "/" in current else ".GOV/spec"
    return sorted(set(find_bundles(ctx.repo, spec_dir)) | ({current} if current else set()))


def _findings(result: BundleIntegrity) -> Iterator[Finding]:
    index = f"{result.bundle}/{result.index_file}"
    if result.mismatches:
        missing = [m.path for m in result.mismatches if m.missing]
        differ = [m.path for m in result.mismatches if not m.missing]
        parts = []
        if differ:
            parts.append(f"{len(differ)} of {result.module_count} modules differ from their recorded sha256: {', '.join(differ)}")
        if missing:
            parts.append(f"{len(missing)} recorded modules are missing: {', '.join(missing)}")
        yield hit(
            "; ".join(parts), path=index, line=result.mismatches[0].line,
            data={"bundle": result.bundle, "index": result.index_file, "differ": differ, "missing": missing,
                  "modules": [{"path": m.path, "recorded": m.recorded_sha256, "actual": m.actual_sha256}
                              for m in result.mismatches]},
        )
    for problem in result.problems:
        if problem.kind in _NOTHING_RECORDED:
            continue
        yield hit(
            f"{result.index_file}: {problem.message}", path=index, line=problem.line,
            data={"bundle": result.bundle, "index": result.index_file, "kind": problem.kind},
            severity=WARNING if problem.kind == _LABEL_ONLY else None,
        )


@rule(
    "spec-bundle-integrity",
    severity=ERROR,
    scope="repo",
    summary="A spec module of the current bundle differs from the sha256 its INDEX.json / manifest records",
    options={
        "all_bundles": {
            "type": "boolean",
            "description": "Check every master-spec-v* bundle beside the current one, not only the bundle SPEC_CURRENT names.",
        },
    },
    since=Since(why=(
        "The rule checks the indexed spec bundle SPEC_CURRENT names, not a packet: a repo without a "
        "bundle has nothing to judge.")),
)
def spec_bundle_integrity(ctx: Context) -> Iterator[Finding]:
    """What it checks
    The indexed spec bundle SPEC_CURRENT points at
    (``.GOV/spec/master-spec-vNN.NNN/``) records the sha256 of each
    ``spec-modules/*.md`` in ``INDEX.json`` and in
    ``indexed-spec-manifest.json``, plus the hash of all modules joined in
    reconstruction order. Each recorded hash is compared with the committed
    bytes (no line-ending normalisation: the reference hashes raw bytes).
    One finding per index file names every module that differs or is
    missing; an index that is not valid JSON, a module path leaving the
    bundle and a wrong reconstruction hash are errors too; an index that
    calls itself another version than its folder is a warning. An index
    that records no module hashes is not judged. With ``all_bundles: true`` every
    bundle in the spec folder is checked.

    Why
    The reference resolves SPEC_CURRENT through these hashes and stops at
    the first mismatch, so a module edited (or re-saved with other line
    endings) after indexing breaks every tool that reads the spec. The
    reference names only the first module; this names them all.

    How to fix
    Regenerate the bundle's index with the reference's spec tooling after
    editing a module, and commit modules with the line endings they were
    hashed with (a ``.gitattributes`` rule for ``spec-modules/*.md``).

    Example
        .GOV/spec/master-spec-v02.195/INDEX.json:12: 2 of 14 modules differ from their recorded sha256: spec-modules/00-preamble.md, spec-modules/07-ux.md
    """
    for bundle in _bundles(ctx):
        for name in (INDEX_FILE, MANIFEST_FILE):
            if ctx.repo.is_file(f"{bundle}/{name}"):
                yield from _findings(check_bundle_index(ctx.repo, bundle, name))
