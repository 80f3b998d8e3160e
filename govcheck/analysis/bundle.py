"""Integrity of an indexed spec bundle (``.GOV/spec/master-spec-vNN.NNN/``).

A bundle splits the master spec into ``spec-modules/*.md`` and records
each module's sha256 in ``INDEX.json`` (the resolver) and in
``indexed-spec-manifest.json`` (the manifest, which its usage contract calls
the hash authority), plus the sha256 of all modules concatenated in
``reconstruction.module_order``. The reference checks this when it resolves
SPEC_CURRENT (``spec-current-lib.mjs``): the raw bytes of every module
against the manifest, then the reconstruction, and it stops at the first
mismatch. This module reports every mismatch instead, for either index
file, so a reader sees the whole damage at once.

Hashes are over the bytes as committed: no line-ending or BOM
normalisation, because the reference hashes the raw buffer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from govcheck.errors import RepoError
from govcheck.parse.json_source import loads_with_lines
from govcheck.repo.repository import Repo

INDEX_FILE = "INDEX.json"
MANIFEST_FILE = "indexed-spec-manifest.json"
_FOLDER_VERSION_RE = re.compile(r"master-spec-v(\d{1,2}\.\d{2,3})")


@dataclass(frozen=True)
class ModuleHashMismatch:
    """A module whose committed bytes do not hash to the recorded value.

    actual_sha256 is None when the module file is missing."""

    module_id: str | None
    path: str  # as recorded, relative to the bundle folder
    recorded_sha256: str
    actual_sha256: str | None
    line: int  # of the module's entry in the index file

    @property
    def missing(self) -> bool:
        return self.actual_sha256 is None


@dataclass(frozen=True)
class BundleProblem:
    """The index itself could not be used: ``index-missing``,
    ``index-invalid`` (JSON problem, with its line), ``no-modules``,
    ``module-order`` (reconstruction order names an unlisted module),
    ``unsafe-path`` (a module path leaving the bundle folder),
    ``reconstruction`` (concatenation hash differs: recorded, actual in
    the message), ``version-label`` (the index names another version than
    its folder: seen at the reference's HEAD, where the v02.195 bundle's
    INDEX.json still says v02.193)."""

    kind: str
    line: int
    message: str


@dataclass(frozen=True)
class BundleIntegrity:
    bundle: str  # bundle folder, repo-relative when a repo was given
    index_file: str  # INDEX.json or indexed-spec-manifest.json
    spec_version: str | None  # as the index states it
    module_count: int
    mismatches: tuple[ModuleHashMismatch, ...]
    problems: tuple[BundleProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_path(bundle: str, rel: str) -> str | None:
    """The repo-relative module file for a recorded path, or None if the
    path would leave the bundle folder (absolute, or climbing with '..')."""
    posix = PurePosixPath(rel.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts:
        return None
    return str(PurePosixPath(bundle, *posix.parts))


def _read_if_file(repo: Repo, rel: str) -> bytes | None:
    if not repo.is_file(rel):
        return None
    try:
        return repo.read_bytes(rel)
    except RepoError:
        return None


def check_bundle_index(repo: Repo, bundle_dir: str, index_file: str = INDEX_FILE, *, label: str | None = None) -> BundleIntegrity:
    """Compare every module's recorded sha256 in ``index_file`` with the
    committed file, and the reconstruction hash when one is recorded.
    ``bundle_dir`` is repo-relative; every file is read through ``repo``."""
    label = label or bundle_dir
    raw = _read_if_file(repo, f"{bundle_dir}/{index_file}")
    if raw is None:
        return BundleIntegrity(label, index_file, None, 0, (), (BundleProblem("index-missing", 1, f"{index_file} not found"),))
    doc = loads_with_lines(raw)
    if not doc.ok or not isinstance(doc.value, dict):
        prob = next((p for p in doc.problems if p.kind != "bom"), None)
        line = prob.line if prob else 1
        why = f"{prob.message} at line {prob.line} column {prob.column}" if prob else "top level is not an object"
        return BundleIntegrity(label, index_file, None, 0, (), (BundleProblem("index-invalid", line, why),))
    index: dict[str, Any] = doc.value
    version = index.get("spec_version") or index.get("version")
    version = version if isinstance(version, str) else None
    label_problems: list[BundleProblem] = []
    folder = _FOLDER_VERSION_RE.fullmatch(PurePosixPath(bundle_dir).name)
    if folder:
        for key in ("spec_version", "version", "current_version", "bundle_id"):
            stated = index.get(key)
            if isinstance(stated, str) and stated and stated.removeprefix("master-spec-") != "v" + folder.group(1):
                label_problems.append(BundleProblem(
                    "version-label", doc.line_of((key,)), f"{key} is {stated} in the folder of v{folder.group(1)}",
                ))
    modules = index.get("modules")
    if not isinstance(modules, list) or not modules:
        return BundleIntegrity(label, index_file, version, 0, (), (BundleProblem("no-modules", doc.line_of(("modules",)), "no modules listed"),))

    mismatches: list[ModuleHashMismatch] = []
    problems: list[BundleProblem] = label_problems
    contents: dict[str, bytes | None] = {}
    for i, module in enumerate(modules):
        if not isinstance(module, dict) or not isinstance(module.get("path"), str):
            problems.append(BundleProblem("no-modules", doc.line_of(("modules", i)), f"modules[{i}] has no path"))
            continue
        rel = module["path"]
        target = _module_path(bundle_dir, rel)
        if target is None:
            problems.append(BundleProblem("unsafe-path", doc.line_of(("modules", i, "path")), f"module path leaves the bundle: {rel}"))
            continue
        data = _read_if_file(repo, target)
        contents[rel.replace("\\", "/")] = data
        recorded = module.get("sha256")
        if not isinstance(recorded, str) or not recorded:
            continue  # nothing recorded: the reference skips the comparison too
        actual = _sha256(data) if data is not None else None
        if actual != recorded.lower():
            module_id = module.get("module_id")
            mismatches.append(ModuleHashMismatch(
                module_id if isinstance(module_id, str) else None, rel, recorded, actual, doc.line_of(("modules", i)),
            ))

    reconstruction = index.get("reconstruction")
    order = reconstruction.get("module_order") if isinstance(reconstruction, dict) else None
    order = [p.replace("\\", "/") for p in order if isinstance(p, str)] if isinstance(order, list) else list(contents)
    # Mismatches in the order the modules are read (the reference stops at
    # the first one in this order).
    rank = {p: i for i, p in enumerate(order)}
    mismatches.sort(key=lambda m: rank.get(m.path.replace("\\", "/"), len(rank)))
    if isinstance(reconstruction, dict) and isinstance(reconstruction.get("reconstructed_sha256"), str):
        unknown = [p for p in order if p not in contents]
        if unknown:
            problems.append(BundleProblem(
                "module-order", doc.line_of(("reconstruction", "module_order")),
                f"reconstruction order names modules that are not listed: {', '.join(unknown)}",
            ))
        elif all(contents[p] is not None for p in order):
            actual = _sha256(b"".join(contents[p] for p in order))  # type: ignore[misc]
            recorded = reconstruction["reconstructed_sha256"]
            if actual != recorded.lower():
                problems.append(BundleProblem(
                    "reconstruction", doc.line_of(("reconstruction", "reconstructed_sha256")),
                    f"modules concatenated hash to {actual}, recorded {recorded}",
                ))
    return BundleIntegrity(label, index_file, version, len(modules), tuple(mismatches), tuple(problems))


def reference_failure(result: BundleIntegrity) -> str | None:
    """The message the reference's SPEC_CURRENT resolution stops with for
    this bundle (it checks the manifest, module by module, then the
    reconstruction), or None when it would pass."""
    for m in result.mismatches:
        if m.actual_sha256 is not None:
            return f"indexed spec module hash mismatch: {m.path}"
        # The reference adds the absolute path after a colon.
        return f"Missing indexed spec module {m.path}"
    if any(p.kind == "reconstruction" for p in result.problems):
        return "indexed spec reconstruction hash mismatch"
    return None


def find_bundles(repo: Repo, spec_dir: str = ".GOV/spec") -> list[str]:
    """Bundle folders directly in the spec folder (``master-spec-v*`` with
    an INDEX.json or a manifest), repo-relative; archived copies are not
    included."""
    out = []
    for name, kind in repo.list_dir(spec_dir):
        folder = f"{spec_dir}/{name}"
        if kind == "dir" and name.startswith("master-spec-v") and (
            repo.is_file(f"{folder}/{INDEX_FILE}") or repo.is_file(f"{folder}/{MANIFEST_FILE}")
        ):
            out.append(folder)
    return out


def check_repo_bundles(repo: Repo, spec_dir: str = ".GOV/spec", index_files: tuple[str, ...] = (INDEX_FILE, MANIFEST_FILE)) -> list[BundleIntegrity]:
    """Every bundle in the repo against each of its index files present."""
    out: list[BundleIntegrity] = []
    for bundle in find_bundles(repo, spec_dir):
        for name in index_files:
            if repo.is_file(f"{bundle}/{name}"):
                out.append(check_bundle_index(repo, bundle, name, label=bundle))
    return out
