"""Pure parsing of generation-3 machine contracts into the models of
``govcheck.model.contract``: ``packet.json``, ``MT-NNN.json`` and
``refinement.json``.

Nothing here reads files or raises on bad input: callers pass the bytes,
and a file that is not valid JSON (or nests too deep for the decoder)
comes back as a contract with a problem naming line and column.

Microtask contracts were written by several generators, each with its own
field names for the same fact. The variants below were counted over the
reference project's June 2026 HEAD and its own readers
(``wp-microtask-lib.mjs``, ``mt-board.mjs``); the first variant present
wins, in the order the reference's readers prefer them:

=============  ==============================================================
status         ``lifecycle.status`` (most), ``status`` (older generator)
depends on     ``lifecycle.depends_on``, ``depends_on``, ``depends_on_mts``
               (all present ones are merged, as mt-board does)
tests          ``scope.proof_targets``, ``expected_tests``, ``proof_commands``,
               ``scope.verification``
acceptance     ``scope.acceptance_criteria``, ``acceptance``,
               ``acceptance_criteria_refs``
files          ``scope.allowed_paths``, ``code_surfaces``, ``owned_files``,
               ``scope.relevant_files``
title          ``scope.summary``, ``title``, ``goal``, ``clause``, ``scope.scope``
=============  ==============================================================
"""

from __future__ import annotations

import re
from typing import Any

from govcheck.model.contract import (
    MICROTASK_SCHEMA,
    REFINEMENT_SCHEMA,
    WORK_PACKET_SCHEMA,
    BundleReference,
    ContractProblem,
    ContractSpecAnchor,
    MicrotaskContract,
    MicrotaskPlan,
    ProjectionStamp,
    RefinementContract,
    RefinementLink,
    SourcedValue,
    SpecVersionRef,
    WorkPacketContract,
)
from govcheck.parse.json_source import JsonDocument, loads_with_lines

# --------------------------------------------------------------------------
# Microtask status vocabulary
# --------------------------------------------------------------------------

# The statuses the reference's MT board shows, plus the aliases it maps
# onto them (COMPLETE -> COMPLETED, IN_PROGRESS/ACTIVE -> CLAIMED), plus the
# validation stages later generators write. Anything else is outside the
# vocabulary (the board silently shows it as PENDING).
MICROTASK_DONE_STATUSES = frozenset({"COMPLETED", "COMPLETE", "DONE", "VALIDATED", "VALIDATED_V3", "CANCELLED"})
MICROTASK_OPEN_STATUSES = frozenset({
    "PENDING", "CLAIMED", "IN_PROGRESS", "ACTIVE", "READY_FOR_VALIDATION", "READY_FOR_VALIDATION_PHASE2",
    "BLOCKED", "BLOCKED_ON_DEPENDENCY", "NEEDS_EXTERNAL_RESOURCE", "FAIL_NEEDS_REWORK",
})
MICROTASK_STATUSES = MICROTASK_DONE_STATUSES | MICROTASK_OPEN_STATUSES


def classify_microtask_status(status: str | None) -> str:
    """``done``, ``open`` or ``unknown`` (outside the vocabulary; a missing
    status is ``open``, as the reference's board defaults it to PENDING)."""
    if status is None or not status.strip():
        return "open"
    value = status.strip().upper()
    if value in MICROTASK_DONE_STATUSES:
        return "done"
    if value in MICROTASK_OPEN_STATUSES:
        return "open"
    return "unknown"


# --------------------------------------------------------------------------
# Spec anchors and versions
# --------------------------------------------------------------------------

# Where a version can be written: "master-spec-v02.185", "Master_Spec_v02.117",
# "(v02.189)", a bare "v02.194". The "v" is always required, so "2.3.14" is
# never read as a version, and a minor of two or three digits keeps a codex
# version ("Codex_v1.4") out.
_VERSION_IN_TEXT_RE = re.compile(
    r"(?:master-spec-|Master_Spec_|\b)v(\d{1,2})\.(\d{2,3})(?![\d])", re.IGNORECASE
)
_BUNDLE_PATH_RE = re.compile(
    r"(?P<root>(?:[\w.\-/]*/)?master-spec-v(?P<ver>\d{1,2}\.\d{2,3}))/(?P<module>[^#\s`'\")]+)(?:#(?P<slug>[^\s`'\")\],;]+))?"
)
_DOC_REF_RE = re.compile(r"(?P<path>[\w.\-/]+\.md)#(?P<slug>[^\s`'\")\],;]+)")
# Numbered sections: at least two components; not part of a longer dotted
# token, a version (v02.185), a word (CX-573) or a file name. An "A" right
# before the number stands in for "§" in ASCII-only packets.
_SECTION_RE = re.compile(r"(?:(?<=[\s(§?#:,;\[])|^|(?<=\bA))(\d{1,3}(?:\.\d{1,4})+)(?![\w.]*\d)(?!\.\w)")
_RANGE_RE = re.compile(r"(\d{1,3}(?:\.\d{1,4})+)\s*(?:-|–|—|\.\.|to)\s*(\d{1,3}(?:\.\d{1,4})+)")
_LITERAL_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPEC_CURRENT_RE = re.compile(r"SPEC_CURRENT", re.IGNORECASE)


def normalize_spec_version(major: str, minor: str) -> str:
    return f"v{int(major):02d}.{minor}"


def _decode_literal_escapes(text: str) -> str:
    # A value escaped twice reaches us as the six characters "\u00a7";
    # read it as the character it names, never as digits.
    if "\\u" not in text:
        return text
    return _LITERAL_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def parse_spec_anchor(text: str, field: str = "", line: int = 1) -> ContractSpecAnchor:
    """Read one spec anchor string: versions, numbered sections, ranges and
    bundle references (``module.md#SLUG``)."""
    text = _decode_literal_escapes(text)
    bundle = None
    document = None
    masked = text
    bm = _BUNDLE_PATH_RE.search(text)
    if bm:
        bundle = BundleReference(
            path=bm.group("root") + "/" + bm.group("module"),
            bundle_version=normalize_spec_version(*bm.group("ver").split(".")),
            module=bm.group("module"),
            slug=bm.group("slug"),
        )
    else:
        dm = _DOC_REF_RE.search(text)
        if dm and not _SPEC_CURRENT_RE.search(dm.group("path")):
            document = dm.group("path")
    versions = [normalize_spec_version(m.group(1), m.group(2)) for m in _VERSION_IN_TEXT_RE.finditer(text)]
    # Blank out what is not section text before looking for numbers: spec
    # file names, bundle paths (keeping a slug that is itself a number),
    # other documents' paths, and versions.
    if bundle is not None:
        slug_part = bundle.slug or ""
        masked = masked.replace(bm.group(0), " " + (slug_part if re.fullmatch(r"[\d.]+", slug_part) else ""))
    masked = re.sub(r"[\w.\-/]*\.(?:md|json|rs|ts|tsx|mjs)\b(?:#\S*)?", " ", masked)
    masked = _VERSION_IN_TEXT_RE.sub(" ", masked)
    masked = masked.replace("Â§", "§")
    sections: list[str] = []
    ranges: list[tuple[str, str]] = []
    found: list[tuple[int, str]] = [(sm.start(1), sm.group(1)) for sm in _SECTION_RE.finditer(masked)]
    for rm in _RANGE_RE.finditer(masked):
        ranges.append((rm.group(1), rm.group(2)))
        found.append((rm.start(2), rm.group(2)))  # a range's end is named too
    for _, number in sorted(found):
        if number not in sections:
            sections.append(number)
    version = bundle.bundle_version if bundle else (versions[0] if versions else None)
    return ContractSpecAnchor(
        text=text,
        field=field,
        line=line,
        spec_version=version,
        sections=tuple(sections),
        ranges=tuple(ranges),
        bundle=bundle,
        document=document,
        names_spec_current=bool(_SPEC_CURRENT_RE.search(text)),
    )


# Fields that state which spec a contract was written against or targets.
_SPEC_VERSION_FIELDS = {
    "spec_baseline": "baseline",
    "spec_target": "target",
    "spec_target_resolved": "target",
    "spec_version": "target",
    "spec_current": "target",  # "v02.195 (native GUI)"; a path to SPEC_CURRENT names no version
    "spec_bundle": "bundle",
    "spec_enrichment_target_bundle": "bundle",
}


def _spec_version_refs(doc: JsonDocument) -> list[SpecVersionRef]:
    """Versions stated in spec fields anywhere in the contract (walked
    without recursion), in document order."""
    refs: list[SpecVersionRef] = []
    stack: list[tuple[tuple, Any]] = [((), doc.value)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key in reversed(list(value)):
                stack.append((path + (key,), value[key]))
            continue
        if isinstance(value, list):
            for i in reversed(range(len(value))):
                stack.append((path + (i,), value[i]))
            continue
        if not path or not isinstance(value, str):
            continue
        key = path[-1]
        role = _SPEC_VERSION_FIELDS.get(key) if isinstance(key, str) else None
        if role is None and len(path) >= 2 and path[-2] == "current_spec" and key == "version":
            role = "target"
        if role is None:
            continue
        m = _VERSION_IN_TEXT_RE.search(value)
        if m:
            refs.append(SpecVersionRef(normalize_spec_version(m.group(1), m.group(2)), role, _dotted(path), doc.line_of(path)))
    return refs


# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------


def _dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _sourced(doc: JsonDocument, path: tuple) -> SourcedValue | None:
    text = _scalar_text(_at(doc.value, path))
    if text is None:
        return None
    return SourcedValue(text, _dotted(path), doc.line_of(path))


# Keys that hold an item's text when a list holds objects instead of strings.
_ITEM_TEXT_KEYS = ("text", "criterion", "summary", "command", "path", "file", "id", "ref", "section", "anchor")


def _sourced_list(doc: JsonDocument, path: tuple) -> list[SourcedValue] | None:
    """The strings at ``path`` (a string, or a list of strings / objects
    with a text-like key); None when the field is absent."""
    value = _at(doc.value, path)
    if value is None:
        return None
    if isinstance(value, str):
        return [SourcedValue(value, _dotted(path), doc.line_of(path))] if value.strip() else []
    if not isinstance(value, list):
        return None
    out: list[SourcedValue] = []
    for i, item in enumerate(value):
        item_path = path + (i,)
        if isinstance(item, dict):
            for key in _ITEM_TEXT_KEYS:
                if isinstance(item.get(key), str):
                    item_path = item_path + (key,)
                    item = item[key]
                    break
        text = _scalar_text(item)
        if text is not None and text.strip():
            out.append(SourcedValue(text, _dotted(item_path), doc.line_of(item_path)))
    return out


def _first_list(doc: JsonDocument, *paths: tuple) -> tuple[SourcedValue, ...]:
    for path in paths:
        found = _sourced_list(doc, path)
        if found is not None:
            return tuple(found)
    return ()


def _first_value(doc: JsonDocument, *paths: tuple) -> SourcedValue | None:
    for path in paths:
        found = _sourced(doc, path)
        if found is not None and found.text.strip():
            return found
    return None


def _read(data: bytes | str) -> tuple[JsonDocument, list[ContractProblem]]:
    doc = loads_with_lines(data)
    problems = [ContractProblem(p.kind, p.line, p.column, p.message) for p in doc.problems]
    if doc.ok and not isinstance(doc.value, dict):
        problems.append(ContractProblem("not-object", 1, 1, f"top level is {type(doc.value).__name__}, not an object"))
    return doc, problems


def _usable(doc: JsonDocument) -> bool:
    return doc.ok and isinstance(doc.value, dict)


def _check_schema(schema_id: SourcedValue | None, expected: str, problems: list) -> None:
    if schema_id is not None and schema_id.text != expected:
        problems.append(ContractProblem(
            "wrong-schema", schema_id.line, 1, f"schema_id is {schema_id.text!r}, expected {expected!r}",
        ))


def _require(value: SourcedValue | None, name: str, problems: list) -> None:
    if value is None:
        problems.append(ContractProblem("missing-field", 1, 1, f"{name} is missing or empty"))


def _projection(doc: JsonDocument) -> ProjectionStamp | None:
    block = _at(doc.value, ("markdown_projection",))
    if not isinstance(block, dict):
        return None

    def text(key: str) -> str | None:
        return _scalar_text(block.get(key))

    return ProjectionStamp(
        path=text("path"),
        status=text("status"),
        source_file=text("source_file"),
        source_hash=text("source_hash"),
        projection_hash=text("projection_hash"),
        generated_at_utc=text("generated_at_utc"),
        generator=text("generator"),
        line=doc.line_of(("markdown_projection",)),
    )


def _anchors(doc: JsonDocument, *paths: tuple) -> tuple[ContractSpecAnchor, ...]:
    return tuple(parse_spec_anchor(v.text, v.field, v.line) for v in _first_list(doc, *paths))


def _anchor_versions(anchors: tuple[ContractSpecAnchor, ...]) -> list[SpecVersionRef]:
    return [SpecVersionRef(a.spec_version, "anchor", a.field, a.line) for a in anchors if a.spec_version]


# --------------------------------------------------------------------------
# Contracts
# --------------------------------------------------------------------------


def parse_work_packet_contract(data: bytes | str, path: str = "packet.json") -> WorkPacketContract:
    doc, problems = _read(data)
    if not _usable(doc):
        return WorkPacketContract(path, None, None, None, None, None, (), (), (), (), None, None, None, tuple(problems))
    schema_id = _sourced(doc, ("schema_id",))
    _check_schema(schema_id, WORK_PACKET_SCHEMA, problems)
    wp_id = _first_value(doc, ("wp_id",))
    _require(wp_id, "wp_id", problems)
    anchors = _anchors(doc, ("scope", "spec_anchors"), ("spec_anchors",))
    refinement = None
    block = _at(doc.value, ("refinement",))
    if isinstance(block, dict):
        refinement = RefinementLink(
            contract_file=_first_value(doc, ("refinement", "contract_file"), ("refinement", "contract")),
            projection_file=_first_value(doc, ("refinement", "projection_file")),
            status=_first_value(doc, ("refinement", "status")),
            line=doc.line_of(("refinement",)),
        )
    microtasks = None
    block = _at(doc.value, ("microtasks",))
    if isinstance(block, dict):
        microtasks = MicrotaskPlan(
            declared_ids=tuple(_sourced_list(doc, ("microtasks", "declared_ids")) or ()),
            contract_glob=_first_value(doc, ("microtasks", "contract_glob")),
            active_id=_first_value(doc, ("microtasks", "active_id")),
            line=doc.line_of(("microtasks",)),
        )
    elif isinstance(block, list):  # a bare list of ids
        microtasks = MicrotaskPlan(tuple(_sourced_list(doc, ("microtasks",)) or ()), None, None, doc.line_of(("microtasks",)))
    return WorkPacketContract(
        path=path,
        schema_id=schema_id,
        wp_id=wp_id,
        base_wp_id=_first_value(doc, ("base_wp_id",)),
        status=_first_value(doc, ("lifecycle", "status"), ("status",)),
        risk_tier=_first_value(doc, ("lifecycle", "risk_tier"), ("risk_tier",)),
        spec_versions=tuple(_spec_version_refs(doc) + _anchor_versions(anchors)),
        spec_anchors=anchors,
        acceptance_criteria=_first_list(doc, ("scope", "acceptance_criteria"), ("acceptance_criteria",)),
        allowed_paths=_first_list(doc, ("scope", "allowed_paths"), ("allowed_paths",)),
        refinement=refinement,
        microtasks=microtasks,
        projection=_projection(doc),
        problems=tuple(problems),
        user_signature=_first_value(doc, ("lifecycle", "user_signature"), ("user_signature",)),
    )


def parse_microtask_contract(data: bytes | str, path: str = "MT-000.json") -> MicrotaskContract:
    doc, problems = _read(data)
    if not _usable(doc):
        return MicrotaskContract(path, None, None, None, None, None, (), (), (), (), (), (), None, tuple(problems))
    schema_id = _sourced(doc, ("schema_id",))
    _check_schema(schema_id, MICROTASK_SCHEMA, problems)
    mt_id = _first_value(doc, ("mt_id",))
    _require(mt_id, "mt_id", problems)
    status = _first_value(doc, ("lifecycle", "status"), ("status",))
    other = _first_value(doc, ("status",))
    if status is not None and other is not None and status.field != other.field and status.text.strip() != other.text.strip():
        problems.append(ContractProblem(
            "conflicting-field", other.line, 1,
            f"status is {other.text!r} but lifecycle.status is {status.text!r}; lifecycle.status is used",
        ))
    # Every dependency field present is read, as the reference's board
    # merges them.
    depends: list[SourcedValue] = []
    for dep_path in (("lifecycle", "depends_on"), ("depends_on",), ("depends_on_mts",)):
        depends.extend(_sourced_list(doc, dep_path) or ())
    return MicrotaskContract(
        path=path,
        schema_id=schema_id,
        mt_id=mt_id,
        wp_id=_first_value(doc, ("wp_id",)),
        title=_first_value(doc, ("scope", "summary"), ("title",), ("goal",), ("clause",), ("scope", "scope")),
        status=status,
        depends_on=tuple(depends),
        tests=_first_list(doc, ("scope", "proof_targets"), ("expected_tests",), ("proof_commands",), ("scope", "verification")),
        acceptance=_first_list(doc, ("scope", "acceptance_criteria"), ("acceptance",), ("acceptance_criteria_refs",)),
        files=_first_list(doc, ("scope", "allowed_paths"), ("code_surfaces",), ("owned_files",), ("scope", "relevant_files")),
        evidence_artifacts=_first_list(doc, ("execution_evidence", "evidence_artifacts")),
        spec_anchors=_anchors(doc, ("spec_anchors",), ("scope", "spec_anchors")),
        projection=_projection(doc),
        problems=tuple(problems),
    )


def parse_refinement_contract(data: bytes | str, path: str = "refinement.json") -> RefinementContract:
    doc, problems = _read(data)
    if not _usable(doc):
        return RefinementContract(path, None, None, None, (), (), None, tuple(problems))
    schema_id = _sourced(doc, ("schema_id",))
    _check_schema(schema_id, REFINEMENT_SCHEMA, problems)
    wp_id = _first_value(doc, ("wp_id",))
    anchors = _anchors(doc, ("refinement", "spec_anchors"), ("spec_anchors",))
    return RefinementContract(
        path=path,
        schema_id=schema_id,
        wp_id=wp_id,
        status=_first_value(doc, ("refinement", "status"), ("status",), ("refinement", "clearly_covers_verdict")),
        spec_versions=tuple(_spec_version_refs(doc) + _anchor_versions(anchors)),
        spec_anchors=anchors,
        projection=_projection(doc),
        problems=tuple(problems),
    )
