"""Generation 3 packets: a folder with ``packet.json`` (the authority,
``"schema_id": "hsk.work_packet_contract@1"``), usually with a generated
``packet.md`` projection.

The contract is read by :mod:`govcheck.parse.contract` and then decides
what it states: status, risk tier, acceptance criteria (as DONE_MEANS),
allowed paths, spec versions and spec anchors. The Markdown projection
fills only what the contract does not state (it is a view of the contract,
and for imported packets the legacy text the contract was made from).

A contract that cannot be read is never replaced by the Markdown in
silence: it stays on the packet (``Packet.contract`` with its problems) and
the ``contract-invalid`` rule reports it; the projection's values are then
all there is to check the rest with.

Lines: a value the projection states too keeps the projection's line (a
finding on ``packet.md`` points at Markdown); otherwise the contract's line
(right for a JSON-only packet, whose path is ``packet.json``), or line 1
of the projection.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from govcheck.model import DecodeIssue, DoneMeans, Field, ListItem, Packet, SectionAnchor, SpecRef
from govcheck.model.contract import SourcedValue, WorkPacketContract
from govcheck.parse.contract import parse_work_packet_contract
from govcheck.parse.versions import normalize_version
from govcheck.parse.vocabulary import normalize_status, parse_risk_tier, status_class

_BULLET_RE = re.compile(r"^[-*+]\s+")
_SPEC_FILE_RE = re.compile(r"[\w.-]*Master[_-]Spec[_-]v\d+\.\d+\.md", re.IGNORECASE)


def _line(value: SourcedValue, current: Field | None, json_only: bool) -> int:
    if current is not None:
        return current.line
    return value.line if json_only else 1


def _field(name: str, value: SourcedValue | None, current: Field | None, json_only: bool) -> Field | None:
    if value is None or not value.text.strip():
        return current
    return Field(name, value.text.strip(), _line(value, current, json_only))


def _spec_refs(packet: Packet, contract: WorkPacketContract, json_only: bool) -> list[SpecRef]:
    """The versions the contract states, as the anchoring analysis reads
    them: a baseline/target/bundle field, or the spec file or bundle a spec
    anchor names, is the contract's own statement, kind ``json``, which
    ranks above anything the Markdown says. The Markdown's
    refs stay on the packet beside them (other rules ask whether the packet
    names its SPEC_CURRENT at all); a projection line stating the same
    version is kept, so findings point at Markdown."""
    md_lines = {r.version: r.line for r in packet.spec_refs if r.version}
    anchors_by_field = {a.field: a for a in contract.spec_anchors}
    refs: list[SpecRef] = []
    for ref in contract.spec_versions:
        try:
            version = normalize_version(ref.version)
        except ValueError:
            continue
        line = ref.line if json_only else md_lines.get(version, 1)
        anchor = anchors_by_field.get(ref.field) if ref.role == "anchor" else None
        if anchor is None:
            refs.append(SpecRef("json", version, f"packet.json {ref.field}: {ref.version}", line))
            continue
        spec_file = anchor.bundle.path if anchor.bundle else _file_name(anchor.text)
        # An anchor that names its spec file or bundle was read in exactly
        # that spec; a bare "(v02.36)" beside a section number ranks as low
        # as it does in Markdown (below a pinned SPEC_CURRENT).
        refs.append(SpecRef("json" if spec_file else "anchor", version, f"packet.json {ref.field}: {anchor.text}",
                            line, file=spec_file))
    return refs


def _file_name(text: str) -> str | None:
    m = _SPEC_FILE_RE.search(text)
    return m.group(0) if m else None


def _anchors(packet: Packet, contract: WorkPacketContract, json_only: bool) -> tuple[SectionAnchor, ...]:
    # The projection's line is kept where it states the same section, so
    # findings point at Markdown.
    md_lines = {a.section: a.line for a in packet.anchors}
    out: dict[str, SectionAnchor] = {}
    for anchor in contract.spec_anchors:
        for section in anchor.sections:
            line = md_lines.get(section, anchor.line if json_only else 1)
            out.setdefault(section, SectionAnchor(section, line, None, None, "packet.json"))
    return tuple(out.values())


def _lifecycle_class(status: str) -> str:
    """The status class, where a status outside the vocabulary that still
    says the work passed or is done (PASSED_INTEGRATION_VALIDATION_V3)
    counts as done; one that says it failed stays unknown."""
    found = status_class(normalize_status(status))
    upper = status.upper()
    if found == "unknown" and "FAIL" not in upper and any(w in upper for w in ("DONE", "VALIDATED", "PASSED")):
        return "done"
    return found


def _disagreeing_status(markdown: Field | None, contract: Field | None) -> Field | None:
    """The projection's own status when it names another lifecycle class
    than the contract's (Done vs Ready for Dev); None when they agree, or
    when either cannot be classed (then nothing can be said for sure)."""
    if markdown is None or contract is None:
        return None
    md_class = _lifecycle_class(markdown.value)
    json_class = _lifecycle_class(contract.value)
    if "unknown" in (md_class, json_class) or md_class == json_class:
        return None
    return markdown


def merge_contract(packet: Packet, contract: WorkPacketContract, form: str) -> Packet:
    """``packet`` (the parsed projection, or an empty packet for a
    JSON-only one) with the contract's statements taking precedence."""
    json_only = form == "contract"
    if not contract.readable:
        return dataclasses.replace(packet, generation="gen3", form=form, contract=contract)
    status = _field("STATUS", contract.status, packet.status, json_only)
    risk = _field("RISK_TIER", contract.risk_tier, packet.risk_tier, json_only)
    signature = _field("USER_SIGNATURE", contract.user_signature, packet.user_signature, json_only)

    done_means = packet.done_means
    if contract.acceptance_criteria:
        line = done_means.line if done_means else (contract.acceptance_criteria[0].line if json_only else 1)
        done_means = DoneMeans(line, tuple(
            ListItem(c.text, c.line if json_only else line) for c in contract.acceptance_criteria
        ))

    scope = packet.scope
    if contract.allowed_paths:
        # Imported contracts keep the Markdown bullet and code quotes
        # ("- path", "* `path"; the importer cut the line at its first path).
        scope = dataclasses.replace(scope, in_scope_paths=tuple(
            ListItem(_BULLET_RE.sub("", p.text.strip()).strip("`").strip(), p.line if json_only else 1) for p in contract.allowed_paths
        ))

    anchors = _anchors(packet, contract, json_only) if contract.spec_anchors else packet.anchors
    spec_refs = tuple(_spec_refs(packet, contract, json_only)) + packet.spec_refs

    projection_status = _disagreeing_status(packet.status, status) if status is not packet.status else None
    norm = normalize_status(status.value) if status is not None else ""
    return dataclasses.replace(
        packet,
        generation="gen3",
        form=form,
        contract=contract,
        status=status,
        risk_tier=risk,
        user_signature=signature,
        status_norm=norm,
        status_class=status_class(norm) if norm else "",
        risk=parse_risk_tier(risk.value if risk is not None else None),
        done_means=done_means,
        anchors=anchors,
        scope=scope,
        spec_refs=spec_refs,
        projection_status=projection_status,
    )


def merge_packet_json(packet: Packet, data: bytes, json_path: str = "packet.json", *,
                      max_bytes: int | None = None) -> Packet:
    """The parsed ``packet.md`` projection with its ``packet.json`` merged in.
    A packet.json over ``max_bytes`` is not read: a ``packet-json-invalid``
    parse issue says so (packet-unreadable reports it) and the projection is
    checked without it."""
    if max_bytes is not None and len(data) > max_bytes:
        issue = DecodeIssue("packet-json-invalid", 1,
                            f"packet.json is too large to check: {len(data):,} bytes, over the limit of {max_bytes:,}; not read")
        return dataclasses.replace(packet, parse_issues=packet.parse_issues + (issue,))
    return merge_contract(packet, parse_work_packet_contract(data, json_path), "contract+projection")


def packet_from_contract(data: bytes, *, packet_id: str, path: str) -> Packet:
    """A JSON-only packet (``packet.json`` and no projection): everything
    comes from the contract; ``path`` is the contract's."""
    empty = Packet(id=packet_id, path=path, sha256=hashlib.sha256(data).hexdigest(), generation="gen3",
                   line_count=data.count(b"\n") + 1)
    return merge_contract(empty, parse_work_packet_contract(data, path), "contract")
