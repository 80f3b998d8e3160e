"""Packet hygiene: ASCII-only text, packet id naming, lineage and the
traceability registry, refinement files, evidence file references, claims."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator, Sequence

from govcheck.engine.context import Context
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule
from govcheck.analysis.text import lines_containing, lines_mentioning, may_mention, safe_fragment, split_lines, line_number
from govcheck.rules.completeness import PLACEHOLDER_RE

# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------


def packet_text(packet: Packet, ctx: Context) -> str:
    """The packet's decoded text (BOM removed, line endings normalised), or
    "" when it cannot be read."""
    try:
        return ctx.repo.read_text(packet.path)
    except (OSError, GovcheckError):
        return ""


def packet_lines(packet: Packet, ctx: Context) -> Sequence[str]:
    """The packet's decoded lines, numbered as the parser numbers them
    (line 1 = index 0); split once for all the rules that read them."""
    try:
        return split_lines(ctx.repo.read_text(packet.path))
    except (OSError, GovcheckError):
        return []


def _history(packet: Packet) -> list[tuple[int, int]]:
    return [(r.line, r.end_line) for r in packet.validation_reports]


def _in_history(line: int, history: Sequence[tuple[int, int]]) -> bool:
    return any(a <= line <= b for a, b in history)


def _where(packet: Packet, *field_names: str) -> int:
    for name in field_names:
        f = packet.field(name)
        if f is not None:
            return f.line
    return packet.title_line or 1


# --------------------------------------------------------------------------
# non-ascii
# --------------------------------------------------------------------------

# Windows-1252 as the reference project's editors applied it: each byte
# 0x80-0xFF becomes one character. Bytes Windows-1252 leaves undefined
# (0x81, 0x8D, 0x8F, 0x90, 0x9D) pass through as the C1 control of the same
# number, which is what a Latin-1 fallback writes.
_CP1252_BYTE: dict[str, int] = {}
for _b in range(0x80, 0x100):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_BYTE[chr(_b)] = _b
del _b

_UTF8_LEN = {**{b: 2 for b in range(0xC2, 0xE0)}, **{b: 3 for b in range(0xE0, 0xF0)}, **{b: 4 for b in range(0xF0, 0xF5)}}

MAX_NON_ASCII_LINES = 50


def find_mojibake(text: str) -> list[tuple[str, str]]:
    """``(garbled, intended)`` pairs in ``text``: UTF-8 bytes that were read
    as Windows-1252 and saved again. ``"Â§2.3"`` -> ``[("Â§", "§")]``;
    ``"â€”"`` -> em dash; ``"âœ…"`` -> check mark. A trailing byte that
    Windows-1252 could not show is sometimes lost (``"ðŸ•µï¸"``): what is
    left is still reported when its lead bytes decode."""
    out: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        b = _CP1252_BYTE.get(text[i])
        size = _UTF8_LEN.get(b or 0)
        if size is None or i + size > n:
            i += 1
            continue
        chunk = text[i : i + size]
        raw = [_CP1252_BYTE.get(c) for c in chunk]
        if all(x is not None for x in raw):
            try:
                decoded = bytes(raw).decode("utf-8")  # type: ignore[arg-type]
            except UnicodeDecodeError:
                decoded = ""
            if decoded and ord(decoded) >= 0x80:
                # A 4-byte emoji often runs on into a variation selector
                # that was garbled too (``ï¸`` after ``ðŸ•µ``).
                j = i + size
                out.append((chunk, decoded))
                i = j
                continue
        i += 1
    return out


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() and not ch.isspace() else ""
    code = f"U+{ord(ch):04X}"
    if shown:
        code += f" '{shown}'"
    return f"{code} ({name.lower()})" if name else code


def describe_non_ascii(line: str) -> tuple[str, dict]:
    """A message naming every non-ASCII character of one line, with
    mojibake named as such."""
    moj = find_mojibake(line)
    rest = line
    for garbled, _ in moj:
        rest = rest.replace(garbled, "", 1)
    parts: list[str] = []
    seen_moj: dict[tuple[str, str], int] = {}
    for pair in moj:
        seen_moj[pair] = seen_moj.get(pair, 0) + 1
    for (garbled, intended), count in seen_moj.items():
        times = f" x{count}" if count > 1 else ""
        parts.append(f"mojibake '{garbled}'{times} = {_describe(intended)} garbled by a Windows-1252 round trip")
    counts: dict[str, int] = {}
    for ch in rest:
        if ord(ch) > 0x7F:
            counts[ch] = counts.get(ch, 0) + 1
    for ch, count in counts.items():
        times = f" x{count}" if count > 1 else ""
        parts.append(f"{_describe(ch)}{times}")
    data = {
        "characters": [f"U+{ord(c):04X}" for c in counts],
        "mojibake": [{"text": g, "intended": f"U+{ord(i):04X}"} for g, i in seen_moj],
    }
    return "; ".join(parts), data


@rule(
    "non-ascii",
    severity=ERROR,
    codex="CX-623",
    summary="A packet that must be ASCII-only holds non-ASCII characters",
    options={
        "always": {
            "type": "boolean",
            "default": False,
            "description": "Require ASCII-only text in every packet, not only those with PACKET_FORMAT_VERSION.",
        }
    },
)
def non_ascii(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Packets that declare ``PACKET_FORMAT_VERSION`` (generation 2 and
    later) must be ASCII-only; with the option ``always: true`` every
    packet must. Each line holding a character above U+007F is one finding
    naming the characters (``U+00A7 '§' (section sign)``). Mojibake is
    named as such: ``Â§`` is a section sign, ``â€”`` an em dash and
    ``âœ…`` a check mark whose UTF-8 bytes were read as Windows-1252 and
    saved again. Bytes that are not UTF-8 at all are left to
    ``encoding-invalid``, which names their lines. After 50
    lines, one summary finding counts the rest. A UTF-8 byte order mark at
    the start of the file is an encoding marker, not text, and is not
    reported here.

    Why
    The reference project's post-work gate (CX-623, COR-701) rejects a
    packet that is not ASCII-only: its scripts match fields and anchors
    byte for byte, and one editor round trip turns ``§`` into ``Â§`` and
    breaks every anchor on the line.

    How to fix
    Replace the character with ASCII: ``§2.3.12`` -> ``2.3.12``, an em dash
    -> ``-``, a check mark -> ``[x]`` or ``PASS``. For mojibake, replace the
    whole garbled sequence, not just its first character.

    Example
        - SPEC_ANCHOR: Handshake_Master_Spec_v02.123.md Â§2.3.12
    gives ``non-ascii: mojibake 'Â§' = U+00A7 '§' (section sign) garbled by
    a Windows-1252 round trip``.
    """
    if packet.format_version is None and not ctx.options("non-ascii").get("always", False):
        return
    invalid = {i.line for i in packet.decode_issues if i.kind == "invalid-utf8"}
    if not invalid and packet_text(packet, ctx).isascii():
        return  # every line is ASCII: nothing to report (the common case)
    lines = packet_lines(packet, ctx)
    raw_lines: list[bytes] = []
    if invalid:
        try:
            raw = ctx.repo.read_bytes(packet.path)
        except (OSError, GovcheckError):
            raw = b""
        raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        raw_lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        if len(raw_lines) != len(lines):
            raw_lines = []
    reported = 0
    extra_lines = extra_first = 0
    for n, line in enumerate(lines, 1):
        if n in invalid:
            # Bytes that are not UTF-8 are encoding-invalid's to report;
            # here only the valid non-ASCII characters of the line count.
            line = raw_lines[n - 1].decode("utf-8", errors="ignore") if raw_lines else line.replace("\ufffd", "")
        if line.isascii():
            continue
        if reported >= MAX_NON_ASCII_LINES:
            extra_lines += 1
            extra_first = extra_first or n
            continue
        message, data = describe_non_ascii(line)
        if not message:
            continue
        reported += 1
        yield hit(f"non-ASCII text: {message}", line=n, data=data)
    if extra_lines:
        yield hit(
            f"{extra_lines} more line(s) hold non-ASCII characters (only the first {MAX_NON_ASCII_LINES} are listed)",
            line=extra_first,
            data={"more_lines": extra_lines},
        )


# --------------------------------------------------------------------------
# wp-id-naming
# --------------------------------------------------------------------------

_REVISION_RE = re.compile(r"-v([1-9]\d*)$")
# Anything that looks like a revision suffix but is not exactly ``-vN``.
_BAD_REVISION_RE = re.compile(r"(?i)[-_. ](?:v|rev|revision|version)[-_. ]?(\d+(?:\.\d+)*)$")
_DATE_RES = (
    (re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T?\d{4,6})?(?!\d)"), "a date stamp"),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}[-_.](?:0[1-9]|1[0-2])[-_.](?:0[1-9]|[12]\d|3[01])(?!\d)"), "a date stamp"),
    (re.compile(r"(?<![A-Za-z0-9])T(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?(?![A-Za-z0-9])"), "a time stamp"),
)


def revision_of(wp_id: str) -> tuple[str, int | None]:
    """``WP-1-X-v3`` -> ``("WP-1-X", 3)``; ``WP-1-X`` -> ``("WP-1-X", None)``."""
    m = _REVISION_RE.search(wp_id)
    if m:
        return wp_id[: m.start()], int(m.group(1))
    return wp_id, None


def naming_problems(wp_id: str) -> list[tuple[str, str]]:
    """``(problem, detail)`` pairs for one id; empty when it is well named."""
    out: list[tuple[str, str]] = []
    if not wp_id.startswith("WP-"):
        out.append(("prefix", "does not start with 'WP-'"))
    for regex, what in _DATE_RES:
        for m in regex.finditer(wp_id):
            out.append(("date", f"contains {what} '{m.group(0)}'"))
    if not _REVISION_RE.search(wp_id):
        m = _BAD_REVISION_RE.search(wp_id)
        if m:
            out.append(("revision", f"revision suffix '{wp_id[m.start():]}' is not '-vN' (N a whole number from 1, no leading zero)"))
    return out


@rule(
    "wp-id-naming",
    severity=ERROR,
    codex="CX-580C",
    summary="A packet id holds a date or time stamp, or a revision suffix other than -vN",
)
def wp_id_naming(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet id (its file or folder name) starts with ``WP-``, holds no
    date or time stamp (``20260112``, ``2026-01-12``, ``20260112T1530``,
    ``T1530``), and a revision is written ``-vN`` at the end: ``-v2``,
    ``-v10``. Flagged revision forms: ``-V2``, ``_v2``, ``-rev2``,
    ``-version2``, ``-v02`` (a leading zero makes ``-v02`` and ``-v2`` two
    names for one revision), ``-v0`` and dotted ``-v0.1``. A version number
    inside the name (``WP-1-MEX-v1.2-Runtime``) is part of the name and is
    not a revision.

    Why
    CX-580C: ids are stable planning identifiers. Dates make every revision
    a new, unrelated id, and the traceability registry and lineage audit
    can only follow revisions written ``-vN``.

    How to fix
    Rename the packet to ``WP-{phase}-{name}`` or ``WP-{phase}-{name}-vN``
    and update the task board and the traceability registry. Historical
    date-stamped packets can be waived (``WAIVERS GRANTED`` naming
    ``wp-id-naming``) rather than renamed.

    Example
        WP-1-Storage-Foundation-20251228   (date stamp)
        WP-1-Atelier-Lens-v0.1             (revision not -vN)
    """
    for kind, detail in naming_problems(packet.id):
        yield hit(f"packet id '{packet.id}' {detail}", line=_where(packet, "WP_ID", "TASK_ID"), data={"id": packet.id, "problem": kind})


# --------------------------------------------------------------------------
# lineage-missing
# --------------------------------------------------------------------------

# The template's instructions under LINEAGE_AUDIT: not an audit.
_LINEAGE_TEMPLATE_RE = re.compile(
    r"^(?:required when `?wp_id`? includes|list every prior packet for|hard rule: do not drop prior requirements"
    r"|if this is not a revision packet, write)",
    re.I,
)
_EMPTY_RE = re.compile(r"^(?:n/?a|none|tbd|todo|-|\.\.\.)\.?$", re.I)


def _lineage_body(packet: Packet, lines: Sequence[str]) -> list[tuple[int, str]]:
    sec = packet.section("LINEAGE_AUDIT")
    if sec is None:
        return []
    out = []
    for n in range(sec.line + 1, min(sec.end_line, len(lines)) + 1):
        text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", lines[n - 1]).strip()
        if not text or text.startswith(("```", "~~~", "<!--")) or set(text) <= set("-=*_ "):
            continue
        if _LINEAGE_TEMPLATE_RE.match(text) or _EMPTY_RE.match(text) or PLACEHOLDER_RE.fullmatch(text):
            continue
        out.append((n, text))
    return out


_ROW_RE = re.compile(r"^\s*\|(.+)\|\s*$")


def registry_entries(ctx: Context) -> dict[str, tuple[str, int]]:
    """Base WP id -> (Active Packet cell, line) from the traceability
    registry's table rows (``| Base WP ID | Active Packet | ... |``)."""
    return ctx.memo("traceability-registry", lambda: _registry_entries(ctx))


def _registry_entries(ctx: Context) -> dict[str, tuple[str, int]]:
    path = ctx.repo.traceability_path
    if path is None:
        return {}
    try:
        text = ctx.repo.read_text(path)
    except (OSError, GovcheckError):
        return {}
    out: dict[str, tuple[str, int]] = {}
    for n, line in enumerate(text.split("\n"), 1):
        m = _ROW_RE.match(line)
        if not m:
            continue
        cells = [c.strip().strip("`*").strip() for c in m.group(1).split("|")]
        if len(cells) < 2 or not cells[0].startswith("WP-"):
            continue
        out.setdefault(cells[0], (cells[1], n))
    return out


def _family(ctx: Context, base: str) -> list[str]:
    return ctx.memo("packet-families", lambda: _families(ctx)).get(base, [])


def _families(ctx: Context) -> dict[str, list[str]]:
    """Base id -> every packet id of that family, sorted (once per run)."""
    out: dict[str, list[str]] = {}
    for wp_id in sorted(ctx.repo.packets):
        out.setdefault(revision_of(wp_id)[0], []).append(wp_id)
    return out


@rule(
    "lineage-missing",
    severity=ERROR,
    codex="CX-580E",
    summary="A -vN revision packet has no lineage audit, or its base id no registry entry",
)
def lineage_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A revision packet ``WP-...-vN`` with N >= 2 has a ``LINEAGE_AUDIT``
    section holding a real audit: not empty, not ``N/A``, not just the
    template's instructions. A lineage audit recorded as a list item
    (``- [CX-580E] Variant lineage audit (ALL versions): ...``, often in a
    validation report) also counts. Superseded revisions (Status
    Superseded, or the registry names another packet of the family as
    active) are immutable history and are not asked for an audit.

    When more than one packet of the same base id exists in the repo
    (``WP-1-X``, ``WP-1-X-v2`` ...) and the repo has a traceability
    registry (``WP_TRACEABILITY_REGISTRY.md``), the base id needs a row in
    the registry's table whose Active Packet names an existing file of that
    family. This part is reported once per family, on the newest revision.

    Why
    CX-580E: a revision must prove that no requirement of the earlier
    versions was lost. CX-580D: with several packets for one base id, only
    the registry says which one is authoritative; without it the work is
    blocked.

    How to fix
    Write the lineage audit (every prior packet, what is kept and what
    changed), and add or correct the registry row:
    ``| WP-1-X | .GOV/task_packets/WP-1-X-v2.md | Ready for Dev: WP-1-X-v2 | supersedes: WP-1-X |``.

    Example
        ## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]
        - N/A
    in ``WP-1-X-v3.md`` is reported.
    """
    base, revision = revision_of(packet.id)
    if revision is not None and revision >= 2 and not _superseded(packet, ctx, base):
        sec = packet.section("LINEAGE_AUDIT")
        lines = packet_lines(packet, ctx)
        if sec is None and _mentions_audit(packet, ctx):
            pass  # recorded as a list item (often in a validation report)
        elif sec is None:
            yield hit(f"revision packet {packet.id} has no LINEAGE_AUDIT section", line=_where(packet, "WP_ID", "TASK_ID"), data={"base": base, "problem": "missing"})
        elif not _lineage_body(packet, lines):
            yield hit(f"LINEAGE_AUDIT of revision packet {packet.id} is empty (no prior versions audited)", line=sec.line, data={"base": base, "problem": "empty"})
    family = _family(ctx, base)
    registry = ctx.repo.traceability_path
    if len(family) < 2 or registry is None or packet.id != _newest(family):
        return
    entry = registry_entries(ctx).get(base)
    if entry is None:
        yield hit(
            f"{len(family)} packets exist for base id {base} ({', '.join(family)}) but {registry} has no row for it",
            line=_where(packet, "BASE_WP_ID", "WP_ID", "TASK_ID"),
            data={"base": base, "family": family, "registry": registry, "problem": "no-entry"},
        )
        return
    cell, row = entry
    named = re.findall(r"[\w./-]*WP-[\w.-]+?\.md|WP-[\w.-]+", cell)
    path = next((p for p in named if p.endswith(".md")), None)
    stem = _active_stem(cell)
    problem = None
    if not stem:
        problem = f"the registry row for {base} names no active packet"
    elif revision_of(stem)[0] != base:
        problem = f"the registry row for {base} names {stem}, which is not a packet of that base id"
    elif path is not None and "/" in path and not ctx.repo.is_file(path):
        problem = f"the registry row for {base} names {path}, which does not exist"
    elif path is None and stem not in ctx.repo.packets:
        problem = f"the registry row for {base} names {stem}, which is not a packet in the repo"
    if problem:
        yield hit(problem, path=registry, line=row, data={"base": base, "active": cell, "problem": "bad-entry"})


_AUDIT_LINE_RE = re.compile(r"lineage[ _-]audit", re.I)
_AUDIT_FRAGMENT = safe_fragment("neage")  # of "lineage": no i or s (see rules/_text.py)


def _mentions_audit(packet: Packet, ctx: Context) -> bool:
    """Some line says "lineage audit". The pattern cannot cross a line
    break, so one search over the text answers for every line; a text
    without the fragment cannot match and skips the regex."""
    text = packet_text(packet, ctx)
    return may_mention(text, _AUDIT_FRAGMENT) and _AUDIT_LINE_RE.search(text) is not None


def _superseded(packet: Packet, ctx: Context, base: str) -> bool:
    """Superseded packets are immutable history: their status says so, or
    the registry names another packet of the family as active."""
    if packet.status_norm == "superseded":
        return True
    entry = registry_entries(ctx).get(base)
    if entry is None:
        return False
    active = _active_stem(entry[0])
    return bool(active) and revision_of(active)[0] == base and active != packet.id


def _active_stem(cell: str) -> str:
    named = re.findall(r"[\w./-]*WP-[\w.-]+?\.md|WP-[\w.-]+", cell)
    path = next((p for p in named if p.endswith(".md")), None)
    return (path or (named[0] if named else "")).rsplit("/", 1)[-1].removesuffix(".md")


def _newest(family: Sequence[str]) -> str:
    return max(family, key=lambda i: (revision_of(i)[1] or 0, i))


# --------------------------------------------------------------------------
# refinement-missing
# --------------------------------------------------------------------------

_REFINEMENT_PATH_RE = re.compile(r"[\w./{}-]*refinements/[\w.{}-]+\.md")


def _refinement_exists(ctx: Context, path: str) -> bool:
    path = path.strip().strip("`'\"").replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    if ctx.repo.is_file(path):
        return True
    # A refinement moved with the governance folder (docs/ -> .GOV/) is
    # still the same refinement: look for its name in the refinement folders.
    name = path.rsplit("/", 1)[-1]
    return any(ctx.repo.is_file(f"{d}/{name}") for d in ctx.repo.refinement_dirs)


@rule(
    "refinement-missing",
    severity=ERROR,
    summary="The refinement file the packet names does not exist",
)
def refinement_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The refinement file named by ``REFINEMENT_FILE``, or any path of the
    form ``.../refinements/NAME.md`` written in the packet outside earlier
    validation reports, exists in the repo. A file of the same name in a
    refinement folder (``.GOV/refinements``, ``docs/refinements``) counts,
    so a refinement moved with the governance folder is found. Template
    placeholders (``.GOV/refinements/{{WP_ID}}.md``) are not paths and are
    skipped (``placeholder-left`` reports them).

    Why
    The pre-work gate (CX-620) requires the technical refinement the
    packet was signed against; a packet pointing at a missing refinement
    cannot show that its USER_SIGNATURE approved anything.

    How to fix
    Commit the refinement file, or correct the path in the packet.

    Example
        - REFINEMENT_FILE: .GOV/refinements/WP-1-Foo-v2.md   (no such file)
    """
    history = _history(packet)
    seen: set[str] = set()
    candidates: list[tuple[str, int]] = []
    for f in packet.fields_named("REFINEMENT_FILE"):
        if not _in_history(f.line, history) and f.value:
            m = _REFINEMENT_PATH_RE.search(f.value)
            candidates.append(((m.group(0) if m else f.value.split()[0]), f.line))
    lines = packet_lines(packet, ctx)
    for n in lines_containing(packet_text(packet, ctx), "refinements/"):
        if _in_history(n, history):
            continue
        for m in _REFINEMENT_PATH_RE.finditer(lines[n - 1]):
            candidates.append((m.group(0), n))
    for path, line in candidates:
        path = path.strip().strip("`'\"")
        if not path or path in seen or "{" in path or "<" in path:
            continue
        seen.add(path)
        if not _refinement_exists(ctx, path):
            yield hit(f"refinement file {path} does not exist", line=line, data={"refinement": path})


# --------------------------------------------------------------------------
# evidence-missing-file
# --------------------------------------------------------------------------

_REF_RE = re.compile(r"^(.+?):(\d+)(?:-(\d+))?$")
_PLACEHOLDER_PATH_RE = re.compile(r"path/to/|\{\{|<[^>]*>|\.\.\.", re.I)


def _line_count(ctx: Context, path: str) -> int:
    data = ctx.repo.read_bytes(path)
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def evidence_problem(ctx: Context, ref: str) -> str | None:
    """Why ``path:line`` (or ``path:start-end``) does not point into an
    existing file, or None when it does. Shares its reading of a reference
    with done_means.evidence_exists."""
    m = _REF_RE.match(ref)
    if not m:
        return None
    path = m.group(1).strip("`").replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    line = line_number(m.group(3) or m.group(2))
    if not ctx.repo.is_file(path):
        return f"{path} does not exist"
    try:
        count = _line_count(ctx, path)
    except (OSError, GovcheckError):
        return f"{path} cannot be read"
    if line > count:
        return f"{path} has {count} line(s); {ref} points past its end"
    return None


def _locate(lines: Sequence[str], needle: str, start: int) -> int:
    for n in range(max(start, 1), len(lines) + 1):
        if needle in lines[n - 1]:
            return n
    return start


_TARGET_FRAGMENT = safe_fragment("target f")  # "file" has an i (see rules/_text.py)
_TARGET_FILE_RE = re.compile(r"^\s*(?:[-*+]\s+)?\**Target File\**\s*:\s*\**\s*(.+?)\s*$", re.I)


@rule(
    "evidence-missing-file",
    severity=ERROR,
    summary="An EVIDENCE_MAPPING or VALIDATION manifest names a file or line that does not exist",
)
def evidence_missing_file(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every ``EVIDENCE: path:line`` (or ``path:start-end``) in
    EVIDENCE_MAPPING names a file that exists in the repo and has that
    line; every ``Target File`` of the VALIDATION manifest exists. This
    holds whatever the packet's status (``done-means-unevidenced`` is the
    rule that asks whether a Done packet's criteria are evidenced at all).
    Template paths (``path/to/file``, ``<...>``, ``{{...}}``) and earlier
    validation reports are skipped.

    Why
    A reference to a file that was renamed or never committed is evidence
    nobody can open: the claim outlives the code.

    How to fix
    Point the reference at the file and line where the code is now, or
    remove the entry.

    Example
        - REQUIREMENT: "Leases expire"
          EVIDENCE: src/jobs/queue.py:140    (the file has 25 lines)
    """
    lines = packet_lines(packet, ctx)
    history = _history(packet)
    seen: set[tuple[str, int]] = set()
    for mapping in packet.evidence_mappings:
        if _in_history(mapping.line, history):
            continue
        for ref in mapping.evidence:
            if _PLACEHOLDER_PATH_RE.search(ref):
                continue
            problem = evidence_problem(ctx, ref)
            if problem is None:
                continue
            line = _locate(lines, ref, mapping.line)
            if (ref, line) in seen:
                continue
            seen.add((ref, line))
            yield hit(f"EVIDENCE {ref}: {problem}", line=line, data={"evidence": ref, "requirement": mapping.requirement})
    for n in lines_mentioning(packet_text(packet, ctx), "target file", _TARGET_FRAGMENT):
        text = lines[n - 1]
        if _in_history(n, history):
            continue
        m = _TARGET_FILE_RE.match(text)
        if not m:
            continue
        target = m.group(1).strip().strip("*").strip().strip("`").strip()
        if not target or _PLACEHOLDER_PATH_RE.search(target) or PLACEHOLDER_RE.search(target):
            continue
        target = target.split()[0].strip("`") if " " in target and not ctx.repo.exists(target) else target
        target = target.replace("\\", "/")
        if target.startswith("./"):
            target = target[2:]
        if not ctx.repo.exists(target):
            yield hit(f"VALIDATION Target File {target} does not exist", line=n, data={"target_file": target})


# --------------------------------------------------------------------------
# claim-missing
# --------------------------------------------------------------------------


@rule(
    "claim-missing",
    severity=ERROR,
    summary="An In Progress packet does not say which coder model claimed it",
)
def claim_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet with ``PACKET_FORMAT_VERSION`` whose Status is In Progress
    names ``CODER_MODEL`` and ``CODER_REASONING_STRENGTH``, each with a real
    value (not empty, not ``<unclaimed>`` or another placeholder).

    Why
    The reference project's claim gate: once work starts, the packet
    records who (which model, at which reasoning strength) is doing it, so
    the validator knows what produced the change and two coders never work
    one packet unknowingly.

    How to fix
    Fill the two METADATA fields when claiming the packet:
        - CODER_MODEL: gpt-5-codex
        - CODER_REASONING_STRENGTH: HIGH

    Example
        - **Status:** In Progress
        - CODER_MODEL: <unclaimed>        (reported)
    """
    if packet.format_version is None or packet.status is None:
        return
    if packet.status_norm != "in progress":
        return
    history = _history(packet)
    for name in ("CODER_MODEL", "CODER_REASONING_STRENGTH"):
        f = next((x for x in packet.fields_named(name) if not _in_history(x.line, history)), None)
        if f is None:
            yield hit(f"packet is In Progress but names no {name}", line=packet.status.line, data={"field": name})
        elif not f.value.strip() or PLACEHOLDER_RE.search(f.value):
            yield hit(f"packet is In Progress but {name} is '{f.value}' (unclaimed)", line=f.line, data={"field": name, "value": f.value})
