"""Frozen data models that flow between govcheck's layers.

Every model is an immutable dataclass holding tuples, never lists, so a parsed
packet can be cached, shared between threads and compared for equality. Every
piece of text lifted from a document keeps the 1-based line it came from, so
any finding can name ``path:line``.

Layers and the models they exchange:

    Repo ──► Packet ──► rules ──► Finding ──► verdict ──► Report ──► renderers
                 └─► TEST_PLAN Command ──► runner ──► CommandResult ──┘
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from govcheck.model.contract import WorkPacketContract


class Severity(str, enum.Enum):
    """How much a finding weighs. ``OFF`` only appears in configuration."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1, "off": 0}[self.value]


class Verdict(str, enum.Enum):
    """PASS, FAIL, or OUTDATED: closed work that was right for the spec it
    was written against, where only the spec has moved on since (the
    validators' OUTDATED_ONLY). Worst first: FAIL > OUTDATED > PASS."""

    PASS = "PASS"
    FAIL = "FAIL"
    OUTDATED = "OUTDATED"

    @property
    def rank(self) -> int:
        return {"PASS": 0, "OUTDATED": 1, "FAIL": 2}[self.value]


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodeIssue:
    """Something the decoder had to repair or wants the validator to know.

    kind: ``invalid-utf8`` (bytes replaced), ``mojibake`` (UTF-8 read as
    Windows-1252 and saved again), ``lost-chars`` (literal ``??`` where
    characters were lost), ``control-char`` (raw control bytes such as the
    backspace left by a shell rewrite), ``binary`` (NUL bytes: not text).
    """

    kind: str
    line: int
    detail: str


@dataclass(frozen=True)
class DecodedText:
    text: str  # BOM removed, line endings normalised to "\n"
    has_bom: bool
    newline: str  # "\n", "\r\n", or "mixed"
    issues: tuple[DecodeIssue, ...] = ()


# --------------------------------------------------------------------------
# Packet model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A named value as written in the packet (``- RISK_TIER: MEDIUM``)."""

    name: str  # canonical upper-case name, e.g. "RISK_TIER"
    value: str  # the text after the separator, stripped; may be ""
    line: int
    # Bullets nested under a list-item field (``- RISK_MAP:`` then
    # ``  - "risk" -> "impact"``), outside code fences.
    items: tuple["ListItem", ...] = ()


@dataclass(frozen=True)
class ListItem:
    text: str
    line: int
    depth: int = 0  # 0 for a top-level item of the field's list


@dataclass(frozen=True)
class SpecRef:
    """A statement in the packet naming a spec version.

    kind: ``pinned`` (``SPEC_CURRENT: Handshake_Master_Spec_v02.85.md``),
    ``spec-current-note`` (``docs/SPEC_CURRENT.md (Master Spec v02.91)``),
    ``master-spec`` (``Master Spec: ...``), ``baseline`` (SPEC_BASELINE),
    ``target`` (SPEC_TARGET), ``anchor`` (SPEC_ANCHOR naming a spec file),
    ``inline`` (``per Master Spec v02.90 §2.3.12`` in prose),
    ``json`` (generation 3 packet.json).
    ``version`` is ``"02.90"`` or None when the statement names no version
    (``SPEC_TARGET: .GOV/roles_shared/SPEC_CURRENT.md`` defers to SPEC_CURRENT).
    """

    kind: str
    version: str | None
    text: str
    line: int
    file: str | None = None  # spec file or pointer path as written


@dataclass(frozen=True)
class SectionAnchor:
    """A spec section the packet is anchored to (``2.3.12``).

    A range ``2.3.10.6-2.3.10.8`` is kept as ``section`` plus ``range_end``;
    it is expanded against a spec index, never guessed.
    """

    section: str
    line: int
    range_end: str | None = None
    title_hint: str | None = None  # text written after the number, if any
    source: str = "SPEC_ANCHOR"  # field or context it came from


@dataclass(frozen=True)
class LineSpan:
    """Lines ``start`` to ``end`` inclusive (1-based)."""

    start: int
    end: int


@dataclass(frozen=True)
class Command:
    """One TEST_PLAN command: a logical shell line (continuations joined,
    heredocs kept whole)."""

    text: str
    line: int  # first source line of the command


@dataclass(frozen=True)
class CodeBlock:
    info: str  # fence info string ("bash", "" ...)
    text: str
    line: int  # line of the opening fence
    end_line: int  # line of the closing fence (or last line when unterminated)
    terminated: bool = True


@dataclass(frozen=True)
class TestPlan:
    line: int
    blocks: tuple[CodeBlock, ...]
    commands: tuple[Command, ...]
    prose: tuple[ListItem, ...] = ()  # non-fenced lines under TEST_PLAN


@dataclass(frozen=True)
class DoneMeans:
    line: int
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Scope:
    what: Field | None = None
    why: Field | None = None
    in_scope_paths: tuple[ListItem, ...] = ()
    out_of_scope: tuple[ListItem, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Waiver:
    """An entry of WAIVERS GRANTED. ``rules`` are govcheck rule ids it waives
    (from a ``RULES:`` field or rule ids named in its scope)."""

    waiver_id: str | None
    date: str | None
    scope: str | None
    justification: str | None
    line: int
    owner: str | None = None
    expires: str | None = None
    rules: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class EvidenceMapping:
    """``REQUIREMENT: "<DONE_MEANS bullet>"`` with its ``EVIDENCE: path:line``."""

    requirement: str
    evidence: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class EvidenceEntry:
    """A coder-recorded command run: COMMAND / EXIT_CODE / LOG_PATH ..."""

    command: str
    line: int
    exit_code: str | None = None
    log_path: str | None = None
    log_sha256: str | None = None
    proof_lines: str | None = None


@dataclass(frozen=True)
class ValidationReportRecord:
    """An earlier validation report found in the packet. Its verdict is
    history; spec versions quoted inside it never anchor the packet."""

    heading: str
    line: int
    end_line: int
    verdict: str | None  # PASS | FAIL | OUTDATED_ONLY | None
    verdict_line: int | None = None
    date: str | None = None
    by_govcheck: bool = False
    # For reports govcheck appended: sha256 of the packet bytes before it.
    prior_sha256: str | None = None


@dataclass(frozen=True)
class Section:
    """The outline: one entry per Markdown heading outside code fences."""

    title: str
    level: int
    line: int
    end_line: int


# "markdown": a WP-*.md (flat, or a folder's packet.md without packet.json);
# "contract+projection": packet.json with its generated packet.md;
# "contract": packet.json alone (JSON-first); "microtasks": a folder of
# MT-NNN.json contracts and no packet document.
PACKET_FORMS = ("markdown", "contract+projection", "contract", "microtasks")


@dataclass(frozen=True)
class Packet:
    id: str
    path: str  # repo-relative, POSIX separators
    sha256: str  # of the raw bytes on disk
    generation: str  # see parse.packet.GENERATIONS
    title: str | None = None
    title_line: int | None = None
    has_bom: bool = False
    newline: str = "\n"
    line_count: int = 0
    format_version: Field | None = None
    status: Field | None = None
    risk_tier: Field | None = None
    # Lifecycle facts parsed once from status / risk_tier (parse.vocabulary):
    # the canonical status ("done (historical)"), its class (ready, active,
    # done, blocked, stub, superseded, unknown; "" without a status) and the
    # tier (LOW, MEDIUM, HIGH, or None when the field names none).
    status_norm: str = ""
    status_class: str = ""
    risk: str | None = None
    # When the packet was written, for rules in force by era (analysis/era.py):
    # the ISO date of its DATE field and of its PACKET_FORMAT_VERSION.
    written_on: str | None = None
    format_version_date: str | None = None
    requestor: Field | None = None
    user_signature: Field | None = None
    fields: tuple[Field, ...] = ()  # every KEY: value field found, in order
    scope: Scope = Scope()
    test_plan: TestPlan | None = None
    done_means: DoneMeans | None = None
    rollback_hint: Field | None = None
    bootstrap: Field | None = None
    skeleton_approved_line: int | None = None
    spec_refs: tuple[SpecRef, ...] = ()
    anchors: tuple[SectionAnchor, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    evidence_mappings: tuple[EvidenceMapping, ...] = ()
    evidence: tuple[EvidenceEntry, ...] = ()
    validation_reports: tuple[ValidationReportRecord, ...] = ()
    sections: tuple[Section, ...] = ()
    # Fenced code blocks as the parser saw them (after fence repairs): text
    # inside them is never a field, heading or marker.
    fences: tuple[LineSpan, ...] = ()
    decode_issues: tuple[DecodeIssue, ...] = ()
    parse_issues: tuple[DecodeIssue, ...] = ()  # structural: unterminated fence, ...
    # How the packet is written (one of PACKET_FORMS). A packet.json is the
    # authority where present (its status, anchors, criteria replace the
    # Markdown's); projection_status keeps the Markdown's own STATUS line
    # when the contract's replaced it, so the two can be compared.
    form: str = "markdown"
    contract: WorkPacketContract | None = None
    projection_status: Field | None = None

    def field(self, name: str) -> Field | None:
        """First field of that canonical name, or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def fields_named(self, name: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.name == name)

    def section(self, title_prefix: str) -> Section | None:
        """First heading whose normalised title starts with ``title_prefix``
        (case-insensitive, spaces and underscores equivalent)."""
        want = _norm_title(title_prefix)
        for s in self.sections:
            if _norm_title(s.title).startswith(want):
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@functools.lru_cache(maxsize=4096)  # rules look up sections by title for every packet
def _norm_title(title: str) -> str:
    return " ".join(title.replace("_", " ").upper().split())


# --------------------------------------------------------------------------
# SPEC_CURRENT and specs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecCurrent:
    """What SPEC_CURRENT says is the current spec.

    ``path`` is the SPEC_CURRENT file (repo-relative); ``spec_file`` is the
    file holding the spec text (repo-relative); ``version`` is ``"02.123"``.
    For the JSON form, ``spec_file`` is the bundle's source baseline or
    entrypoint and ``bundle`` the bundle folder.
    """

    path: str
    spec_file: str
    version: str
    form: str  # "markdown" | "json" | "latest" (no pointer file: the newest spec file)
    line: int = 1
    bundle: str | None = None
    codex: str | None = None


@dataclass(frozen=True)
class SpecFile:
    path: str  # repo-relative
    version: str


# --------------------------------------------------------------------------
# Findings, command results, reports
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    codex: str | None = None
    waived_by: str | None = None  # waiver id when waived
    packet_id: str | None = None  # None for repo-level findings

    def with_(self, **changes: Any) -> "Finding":
        return dataclasses.replace(self, **changes)

    def sort_key(self) -> tuple:
        return (
            self.packet_id or "",
            self.path or "",
            self.line or 0,
            -self.severity.rank,
            self.rule,
            self.message,
        )


@dataclass(frozen=True)
class CommandResult:
    command: str
    line: int
    status: str  # passed | failed | timeout | refused | skipped | cached
    exit_code: int | None = None
    duration_s: float | None = None
    log_path: str | None = None
    log_sha256: str | None = None
    log_size: int | None = None
    truncated_bytes: int = 0
    proof_lines: tuple[str, ...] = ()
    reason: str | None = None  # why refused / skipped / timed out
    cached: bool = False


@dataclass(frozen=True)
class CriterionStatus:
    """One DONE_MEANS item with what the report says about its evidence."""

    text: str
    line: int
    status: str  # evidenced | unevidenced | not-required | linked-to-tests
    evidence: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule (renderers never consult the rule
    registry: the engine hands them this)."""

    id: str
    severity: Severity
    summary: str
    codex: str | None
    family: str
    explanation: str
    fix: str  # the "How to fix" paragraph on one line ("" when none)
    since: str = "every packet"  # the first packets it applies to (analysis/era.py)


@dataclass(frozen=True)
class PacketResult:
    packet: Packet
    verdict: Verdict
    findings: tuple[Finding, ...]
    spec_version: str | None  # the version the packet is anchored to
    criteria: tuple[CriterionStatus, ...] = ()
    # Which statement gave spec_version (see anchoring.py) and where.
    spec_basis: str | None = None
    spec_basis_line: int | None = None
    commands: tuple[CommandResult, ...] = ()
    superseded: tuple[str, ...] = ()  # flat files superseded by this folder packet
    # Why the verdict is what it is, decided with it (engine.verdict): one
    # line ("2 error finding(s): spec-stale, field-missing"), and the rules
    # whose findings decided a FAIL, in the order they were first found.
    reason: str = ""
    deciding_rules: tuple[str, ...] = ()
    # Section ids of the current spec the packet anchors (ranges expanded),
    # for views that map packets onto the spec (the HTML dashboard's
    # coverage view). Not in the JSON report.
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Receipt:
    govcheck_version: str
    config_sha256: str | None
    spec_current_sha256: str | None


@dataclass(frozen=True)
class ShardInfo:
    """Which part of a ``--shard K/N`` run a report covers, so that
    ``govcheck merge`` can check the parts fit and restore the order."""

    index: int  # 1-based
    count: int
    total: int  # packets in the whole run
    positions: tuple[int, ...]  # each packet's place in the whole run's order
    plan: str  # digest of the assignment: every part must share it


@dataclass(frozen=True)
class BoardEntry:
    """A task board list item naming a packet, as the board states it: which
    ``##`` section it sits in and the line. Handed to renderers so they can
    set the board beside the packets without reading the board themselves."""

    wp_id: str
    section: str  # the section heading as written ("Done", "In Progress" ...)
    line: int
    token: str | None = None  # "[VALIDATED]" written as VALIDATED; None when malformed


@dataclass(frozen=True)
class SpecOutlineEntry:
    """A numbered section of the current spec (for coverage views)."""

    id: str  # "2.3.12"
    title: str


@dataclass(frozen=True)
class Report:
    generated_at: str  # ISO date-time, UTC
    repo: str  # absolute path of the repo root as given
    verdict: Verdict
    spec_current: SpecCurrent | None
    packets: tuple[PacketResult, ...]
    repo_findings: tuple[Finding, ...] = ()
    receipt: Receipt | None = None
    tool_version: str = ""
    notes: tuple[str, ...] = ()  # why these packets (govcheck ci), in order
    rules: tuple[RuleInfo, ...] = ()  # every registered rule, sorted by id
    shard: ShardInfo | None = None  # set by --shard K/N
    # Optional context for overview renderers (the HTML dashboard); the JSON
    # report does not carry them. Empty when unavailable (no task board, the
    # current spec unreadable).
    spec_sections: tuple[SpecOutlineEntry, ...] = ()  # current spec, document order
    board_path: str | None = None
    board: tuple[BoardEntry, ...] = ()  # entries naming a packet, board order


# --------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Turn models into plain JSON values (dicts, lists, str, numbers)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value
