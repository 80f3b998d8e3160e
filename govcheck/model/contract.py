"""Frozen models of generation-3 machine contracts: the work packet contract
(``packet.json``, ``hsk.work_packet_contract@1``), the microtask contract
(``MT-NNN.json``, ``hsk.microtask_contract@1``) and the refinement contract
(``refinement.json``).

Same conventions as ``govcheck.model``: immutable dataclasses holding
tuples, and every value lifted from a file keeps the 1-based line it starts
on, plus the JSON field it came from (``field``), because the same fact
sits under different keys depending on the generator that wrote the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORK_PACKET_SCHEMA = "hsk.work_packet_contract@1"
MICROTASK_SCHEMA = "hsk.microtask_contract@1"
REFINEMENT_SCHEMA = "hsk.refinement_contract@1"


@dataclass(frozen=True)
class ContractProblem:
    """Why (part of) a contract could not be read as intended.

    kind: ``invalid-json`` (line/column of the syntax error), ``too-deep``,
    ``not-js-json`` (NaN/Infinity), ``bom``, ``invalid-utf8``,
    ``not-object`` (the document is not a JSON object), ``wrong-schema``
    (``schema_id`` is not the one this kind of contract carries),
    ``missing-field`` (an identity field such as ``wp_id``/``mt_id``),
    ``conflicting-field`` (two generator variants of a field disagree),
    ``unexpected-type`` (a field holds a type its readers do not accept).
    """

    kind: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class SourcedValue:
    """A text value from a contract.

    field: where it came from, as a dotted path with list indexes
    (``lifecycle.status``, ``scope.acceptance_criteria[2]``)."""

    text: str
    field: str
    line: int


@dataclass(frozen=True)
class BundleReference:
    """``.GOV/spec/master-spec-v02.185/spec-modules/10-x.md#SLUG``: a place in
    an indexed spec bundle, named by module and slug rather than a number."""

    path: str  # the part before '#', as written
    bundle_version: str | None  # "v02.185" (a version, never a section)
    module: str | None  # "spec-modules/10-x.md" relative to the bundle
    slug: str | None  # after '#'; may itself be a section number


@dataclass(frozen=True)
class ContractSpecAnchor:
    """One spec anchor as a contract states it, with what could be read
    from it."""

    text: str  # JSON escapes decoded (``\\u00a7`` is already ``§``)
    field: str
    line: int
    spec_version: str | None  # from a file name, bundle path or "(v02.189)"
    sections: tuple[str, ...]  # numbered sections named (range ends included)
    ranges: tuple[tuple[str, str], ...]  # ("2.3.10.6", "2.3.10.8")
    bundle: BundleReference | None  # set for master-spec-vNN.NNN paths
    document: str | None  # another document named with '#' (not a bundle)
    names_spec_current: bool  # points at SPEC_CURRENT (resolved later)


@dataclass(frozen=True)
class SpecVersionRef:
    """A spec version a contract names, and where.

    role: ``baseline`` (spec at creation), ``target`` (resolved target),
    ``bundle`` (a bundle the contract points at), ``anchor`` (inside a spec
    anchor)."""

    version: str  # normalised "vMM.NN"
    role: str
    field: str
    line: int


@dataclass(frozen=True)
class ProjectionStamp:
    """The ``markdown_projection`` block: where the generated Markdown is
    and the stamp it was generated with. Values as written (None when
    absent or not text)."""

    path: str | None
    status: str | None
    source_file: str | None
    source_hash: str | None
    projection_hash: str | None
    generated_at_utc: str | None
    generator: str | None
    line: int


@dataclass(frozen=True)
class RefinementLink:
    contract_file: SourcedValue | None
    projection_file: SourcedValue | None
    status: SourcedValue | None
    line: int


@dataclass(frozen=True)
class MicrotaskPlan:
    """The packet's ``microtasks`` block."""

    declared_ids: tuple[SourcedValue, ...]
    contract_glob: SourcedValue | None
    active_id: SourcedValue | None
    line: int


class _ContractFile:
    """What every contract model shares: its problems decide whether the
    file could be read at all."""

    problems: tuple[ContractProblem, ...]

    @property
    def readable(self) -> bool:
        return not any(p.kind in _UNREADABLE for p in self.problems)


@dataclass(frozen=True)
class WorkPacketContract(_ContractFile):
    path: str
    schema_id: SourcedValue | None
    wp_id: SourcedValue | None
    base_wp_id: SourcedValue | None
    status: SourcedValue | None  # lifecycle.status
    risk_tier: SourcedValue | None  # lifecycle.risk_tier
    spec_versions: tuple[SpecVersionRef, ...]
    spec_anchors: tuple[ContractSpecAnchor, ...]
    acceptance_criteria: tuple[SourcedValue, ...]
    allowed_paths: tuple[SourcedValue, ...]
    refinement: RefinementLink | None
    microtasks: MicrotaskPlan | None
    projection: ProjectionStamp | None
    problems: tuple[ContractProblem, ...] = ()
    user_signature: SourcedValue | None = None  # lifecycle.user_signature

    @property
    def baseline_version(self) -> str | None:
        return _first_version(self.spec_versions, "baseline")

    @property
    def target_version(self) -> str | None:
        return _first_version(self.spec_versions, "target")


@dataclass(frozen=True)
class MicrotaskContract(_ContractFile):
    """An ``MT-NNN.json``. Each field's ``field`` says which generator
    variant it was read from (``status`` or ``lifecycle.status``,
    ``depends_on`` or ``depends_on_mts``, ...)."""

    path: str
    schema_id: SourcedValue | None
    mt_id: SourcedValue | None
    wp_id: SourcedValue | None
    title: SourcedValue | None
    status: SourcedValue | None
    depends_on: tuple[SourcedValue, ...]
    tests: tuple[SourcedValue, ...]
    acceptance: tuple[SourcedValue, ...]
    files: tuple[SourcedValue, ...]
    evidence_artifacts: tuple[SourcedValue, ...]
    spec_anchors: tuple[ContractSpecAnchor, ...]
    projection: ProjectionStamp | None
    problems: tuple[ContractProblem, ...] = ()

    @property
    def depends_on_ids(self) -> tuple[str, ...]:
        """Dependencies as upper-case ids, duplicates dropped. An entry can
        name several ("MT-003; MT-007") or a range ("MT-001 through
        MT-025"), both seen at the reference's HEAD, where its own board
        reads such an entry as one unknown id; here they are expanded. An
        entry naming no MT id is kept as written (upper-cased)."""
        seen: dict[str, None] = {}
        for dep in self.depends_on:
            text = dep.text.strip().upper()
            ids = _MT_ID_RE.findall(text)
            if not ids:
                if text and text not in ("NONE", "N/A", "-"):  # "NONE": the reference's own empty value
                    seen.setdefault(text, None)
                continue
            for m in _MT_RANGE_RE.finditer(text):
                lo, hi = int(m.group(1)), int(m.group(2))
                width = len(m.group(1))
                for n in range(lo, hi + 1) if hi - lo <= 999 else ():
                    seen.setdefault(f"MT-{n:0{width}d}", None)
            for mt_id in ids:
                seen.setdefault(mt_id, None)
        return tuple(seen)


@dataclass(frozen=True)
class RefinementContract(_ContractFile):
    path: str
    schema_id: SourcedValue | None
    wp_id: SourcedValue | None
    status: SourcedValue | None
    spec_versions: tuple[SpecVersionRef, ...]
    spec_anchors: tuple[ContractSpecAnchor, ...]
    projection: ProjectionStamp | None
    problems: tuple[ContractProblem, ...] = ()


_MT_ID_RE = re.compile(r"MT-\d+")
_MT_RANGE_RE = re.compile(r"MT-(\d+)\s*(?:THROUGH|TO|\.\.|-|–|—)\s*MT-(\d+)")
_UNREADABLE = frozenset({"invalid-json", "too-deep", "not-js-json", "not-object"})


def _first_version(refs: tuple[SpecVersionRef, ...], role: str) -> str | None:
    for ref in refs:
        if ref.role == role:
            return ref.version
    return None
