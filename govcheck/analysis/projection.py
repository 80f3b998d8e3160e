"""Projection integrity of generation-3 contracts (``packet.json``,
``refinement.json``, ``MT-NNN.json``) and their generated Markdown.

The reference project stamps every generated projection with two short
hashes and checks them with ``packet-contract-projection-check.mjs``. This
module recomputes them byte for byte as that script does, so govcheck
reports drift exactly where the reference would:

* ``stable(x)``: object keys sorted recursively, serialised like
  JavaScript's ``JSON.stringify(x, null, 2)`` plus a newline;
* ``short(s)``: the first 16 hex digits of sha256 over UTF-8;
* ``source_hash = short(stable(contract))`` with the three stamp fields of
  ``markdown_projection`` set to null;
* ``projection_hash = short(markdown without its leading
  HANDSHAKE_GENERATED_PROJECTION comment)``;
* the comment repeats schema_id, source_file, both hashes,
  generated_at_utc and generator; each must equal the contract's.

Everything JavaScript does differently from Python's ``json`` is mirrored
here on purpose (number printing, key order, which characters count as
white space); each place says why.

Two readings of the result are offered. ``reference_violations`` lists the
items the reference script prints, in its words. ``drifted`` applies
govcheck's policy: a projection whose contract says it is still pending
(``GENERATED_PENDING``) or not generated (``NOT_GENERATED_*``) is not drift,
while one the contract says is ``GENERATED_IN_SYNC`` must exist and match.
"""

from __future__ import annotations

import hashlib
import math
import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterable

from govcheck.errors import RepoError
from govcheck.parse.json_source import loads_with_lines
from govcheck.repo.repository import Repo

GENERATED_IN_SYNC = "GENERATED_IN_SYNC"
CONTRACT_FILE_RE = re.compile(r"^(packet|refinement|MT-\d{3})\.json$", re.IGNORECASE)

# JavaScript's \s (WhiteSpace + LineTerminator, including the BOM), which
# differs from Python's: Python counts \x1c-\x1f and \x85 and not \ufeff.
# The header regex and String.prototype.trim both use this set.
_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_WS_CLASS = f"[{_JS_WS}]"
HEADER_RE = re.compile(
    rf"^{_JS_WS_CLASS}*<!--{_JS_WS_CLASS}*HANDSHAKE_GENERATED_PROJECTION{_JS_WS_CLASS}+([\s\S]*?)-->{_JS_WS_CLASS}*\r?\n?"
)
_JS_WS_RUN = re.compile(f"{_JS_WS_CLASS}+")
# The same set spelled out, for str.strip.
_JS_WS_CHARS = _JS_WS.replace("\u2000-\u200a", "".join(map(chr, range(0x2000, 0x200B))))


# --------------------------------------------------------------------------
# JavaScript value semantics
# --------------------------------------------------------------------------


def _js_number_from_text(text: str) -> float:
    """A JSON number as JavaScript holds it: always a double, so integers
    beyond 2**53 lose precision exactly as in the reference."""
    return float(text)


def js_number_to_string(x: float) -> str:
    """ECMAScript Number::toString for finite numbers (as JSON.stringify
    prints them): 1.0 -> "1", 1e21 -> "1e+21", 1e-7 -> "1e-7", -0 -> "0"."""
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    # repr gives the shortest digits that round-trip, as JavaScript does.
    mantissa, _, exp = repr(float(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    # n: position of the decimal point relative to the first digit.
    n = len(whole.lstrip("0")) if whole.lstrip("0") else -(len(frac) - len(frac.lstrip("0")))
    n += int(exp or 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}e{sign}{abs(e)}"


def _literal(value: Any) -> str | None:
    """null, true and false as JavaScript writes them (None otherwise)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return None


def js_to_string(value: Any) -> str:
    """``String(value)`` for JSON values."""
    literal = _literal(value)
    if literal is not None:
        return literal
    if isinstance(value, (int, float)):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return js_number_to_string(f)
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # Array.prototype.join: null -> ""
        return ",".join("" if v is None else js_to_string(v) for v in value)
    return "[object Object]"


def _js_truthy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return True


def js_or_empty(value: Any) -> str:
    """``String(value || "")``: the idiom the reference uses everywhere."""
    return js_to_string(value) if _js_truthy(value) else ""


def js_trim(text: str) -> str:
    return text.strip(_JS_WS_CHARS)


def normalize_contract_path(value: Any) -> str:
    """normalizeContractPath: backslashes to slashes, runs of slashes to
    one, trimmed."""
    return js_trim(re.sub(r"/+", "/", js_or_empty(value).replace("\\", "/")))


def _is_array_index(key: str) -> bool:
    # JavaScript enumerates integer-like keys (canonical, < 2**32 - 1)
    # first, in numeric order, whatever order they were inserted in.
    return key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 4294967295


def _utf16_key(key: str) -> bytes:
    # Array.prototype.sort compares UTF-16 code units, not code points.
    return key.encode("utf-16-be", "surrogatepass")


def _object_keys(obj: dict, sort: bool) -> list[str]:
    """The order JSON.stringify writes an object's keys in. With ``sort``
    (stableCopy) keys are sorted by UTF-16 code unit and a ``__proto__``
    key vanishes, because assigning it in JavaScript sets the prototype
    instead of adding a property. Either way JavaScript then enumerates
    integer-like keys first, in numeric order."""
    keys = sorted((k for k in obj if k != "__proto__"), key=_utf16_key) if sort else list(obj)
    index_keys = sorted((k for k in keys if _is_array_index(k)), key=int)
    return index_keys + [k for k in keys if not _is_array_index(k)] if index_keys else keys


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\ud800-\udfff]')


def _quote(s: str) -> str:
    # JSON.stringify escapes only these; everything else (non-ASCII, U+2028,
    # DEL) is written as is. Lone surrogates are escaped since ES2019.
    def repl(m: re.Match) -> str:
        ch = m.group(0)
        return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"

    return '"' + _NEEDS_ESCAPE.sub(repl, s) + '"'


def _scalar(v: Any) -> str:
    literal = _literal(v)
    if literal is not None:
        return literal
    if isinstance(v, str):
        return _quote(v)
    if isinstance(v, (int, float)):
        f = float(v)
        return "null" if math.isnan(f) or math.isinf(f) else js_number_to_string(f)
    raise TypeError(f"not JSON data: {type(v).__name__}")


def js_stringify(value: Any, indent: str = "  ", *, sort_keys: bool = False) -> str:
    """JSON.stringify(value, null, 2) for JSON data; with ``sort_keys``,
    JSON.stringify(stableCopy(value), null, 2). Written without recursion:
    the reference (Node) follows nesting far deeper than Python's stack."""
    out: list[str] = []
    # Work items: a str is written as is, a tuple is (value, indentation).
    stack: list = [(value, "")]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        v, level = item
        if isinstance(v, (list, dict)) and v:
            inner = level + indent
            pieces: list = []
            if isinstance(v, list):
                for i, element in enumerate(v):
                    pieces += [",\n" + inner if i else "[\n" + inner, (element, inner)]
                pieces.append("\n" + level + "]")
            else:
                for i, key in enumerate(_object_keys(v, sort_keys)):
                    pieces += [(",\n" if i else "{\n") + inner + _quote(key) + ": ", (v[key], inner)]
                pieces.append("\n" + level + "}")
            stack.extend(reversed(pieces))
        elif isinstance(v, list):
            out.append("[]")
        elif isinstance(v, dict):
            out.append("{}")
        else:
            out.append(_scalar(v))
    return "".join(out)


def stable_stringify(value: Any) -> str:
    """stableStringify: keys sorted at every level, two-space indent, and a
    trailing newline."""
    return js_stringify(value, sort_keys=True) + "\n"


def short_hash(text: str) -> str:
    """sha256Short: 16 hex digits of sha256 over the UTF-8 bytes (lone
    surrogates become U+FFFD, as Node encodes them)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def contract_source_hash(contract: Any) -> str:
    """contractSourceHash: the stable form with the three stamp fields of
    ``markdown_projection`` nulled (added when absent). A non-object block is
    replaced by {}, except an array, on which JavaScript sets properties
    that JSON does not show, so it stays as it is."""
    if not _js_truthy(contract):
        contract = {}  # contract || {}
    if not isinstance(contract, dict):
        # A top-level array or scalar: the assignments do not show in JSON.
        return short_hash(stable_stringify(contract))
    # Only the top level and the projection block change: shallow copies,
    # and the serialiser sorts (so where the nulled fields go is moot).
    cloned = dict(contract)
    block = cloned.get("markdown_projection")
    if not _js_truthy(block) or not isinstance(block, (dict, list)):
        block = {}
    if isinstance(block, dict):
        block = dict(block, source_hash=None, projection_hash=None, generated_at_utc=None)
    cloned["markdown_projection"] = block
    return short_hash(stable_stringify(cloned))


def strip_projection_header(markdown: str) -> str:
    return HEADER_RE.sub("", markdown, count=1)


def projection_body_hash(markdown: str) -> str:
    return short_hash(strip_projection_header(markdown))


def parse_projection_header(markdown: str) -> dict[str, str] | None:
    m = HEADER_RE.match(markdown)
    if not m:
        return None
    values: dict[str, str] = {}
    for token in _JS_WS_RUN.split(js_trim(m.group(1))):
        idx = token.find("=")
        if idx <= 0:
            continue
        values[token[:idx]] = token[idx + 1 :]
    return values


_ISO_RE = re.compile(
    r"^([+-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$"
)


def _js_date_parses(text: str) -> bool:
    """Whether Date.parse gives a number, for the strings that can pass the
    reference's ``\\d{4}-\\d{2}-\\d{2}T`` test: the ECMAScript date-time
    format with its field ranges (V8 lets a day run past the month's end,
    so 02-31 passes), plus what V8's fallback parser also takes for these
    strings: a lower-case z, an offset without colon. Checked against Node
    20 on such cases; rarer forms only the fallback accepts are treated as
    not ISO."""
    m = _ISO_RE.match(text)
    if not m:
        return False
    month = int(m.group(2) or 1)
    day = int(m.group(3) or 1)
    hour = int(m.group(4) or 0)
    minute = int(m.group(5) or 0)
    second = int(m.group(6) or 0)
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute <= 59 and second <= 59):
        return False
    return hour <= 23 or (hour == 24 and minute == 0 and second == 0)


def is_iso_timestamp(value: Any) -> bool:
    text = js_trim(js_or_empty(value))
    return bool(text) and _js_date_parses(text) and re.search(r"\d{4}-\d{2}-\d{2}T", text) is not None


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectionIssue:
    """One item the check reports.

    kind: ``invalid-contract``, ``path-required``, ``projection-missing``,
    ``projection-unreadable``, ``projection-outside-repo``, ``status-not-in-sync``, ``field-required``,
    ``path-drift``, ``timestamp-not-iso``, ``source-hash``,
    ``projection-hash``, ``header-missing``, ``header-schema_id``,
    ``header-source_file``, ``header-source_hash``, ``header-projection_hash``,
    ``header-generated_at_utc``, ``header-generator``.
    file: the repo-relative file the reference names (contract or
    projection); line: where in it (1 when not known).
    message: the reference's own wording, so outputs can be compared.
    """

    kind: str
    file: str
    line: int
    expected: str | None
    found: str | None
    message: str


@dataclass(frozen=True)
class ContractProjectionResult:
    contract_path: str  # repo-relative, forward slashes
    wp_folder: str  # the WP-* folder the contract is in
    projection_path: str | None  # as the contract names it
    projection_status: str | None  # markdown_projection.status, as written
    opted_out: bool  # JSON-first opt-out: the reference skips the contract
    issues: tuple[ProjectionIssue, ...]
    # govcheck's policy (see module docstring): every issue is drift unless
    # the contract says its projection is pending or not generated, where
    # only a hash it carries that disagrees is.
    is_drift: bool

    @property
    def in_sync(self) -> bool:
        return not self.issues


@dataclass(frozen=True)
class ProjectionReport:
    results: tuple[ContractProjectionResult, ...]

    @property
    def reference_violations(self) -> tuple[str, ...]:
        """Every line the reference script prints, in its words."""
        return tuple(i.message for r in self.results for i in r.issues)

    @property
    def reference_packets(self) -> tuple[str, ...]:
        return tuple(sorted({r.wp_folder for r in self.results if r.issues}))

    @property
    def drifted(self) -> tuple[ContractProjectionResult, ...]:
        return tuple(r for r in self.results if r.is_drift)

    @property
    def drifted_packets(self) -> tuple[str, ...]:
        return tuple(sorted({r.wp_folder for r in self.drifted}))

    @property
    def opted_out_count(self) -> int:
        return sum(1 for r in self.results if r.opted_out)


# --------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _upper_trim(value: Any) -> str:
    return js_trim(js_or_empty(value)).upper()


def is_json_first_opt_out(contract: Any) -> bool:
    """isJsonFirstProjectionOptOut: a machine-only contract that says no
    Markdown is generated unless asked for; the reference skips it."""
    policy = _get(contract, "artifact_policy")
    policy = policy if _js_truthy(policy) else {}
    projection = _get(contract, "markdown_projection")
    projection = projection if _js_truthy(projection) else {}
    not_generated = (
        _upper_trim(_get(projection, "status")) == "NOT_GENERATED_BY_DEFAULT"
        or _upper_trim(_get(projection, "source_hash")) == "NOT_GENERATED_BY_DEFAULT"
        or _upper_trim(_get(projection, "projection_hash")) == "NOT_GENERATED_BY_DEFAULT"
        or _upper_trim(_get(projection, "generator")) == "PENDING_DEMAND"
    )
    return (
        _upper_trim(_get(policy, "authority_surface")) == "MACHINE_CONTRACT"
        and _get(policy, "model_created_markdown_authority_allowed") is False
        and _get(policy, "operator_facing_authority") is False
        and (_upper_trim(_get(policy, "projection_creation")) == "ON_OPERATOR_REQUEST_ONLY" or not_generated)
    )


def check_contract_projection_pair(
    contract: Any,
    projection_text: str,
    contract_path: str,
    projection_path: str,
    *,
    contract_line_of=lambda field: 1,
) -> list[ProjectionIssue]:
    """validateContractProjectionPair: every way the pair disagrees.

    ``contract_line_of(field)`` gives the line of a ``markdown_projection``
    field in the contract file (1 when unknown)."""
    issues: list[ProjectionIssue] = []
    if not isinstance(contract, dict):
        return [ProjectionIssue("invalid-contract", contract_path, 1, None, None, "contract must be an object")]
    projection = contract.get("markdown_projection")
    projection = projection if _js_truthy(projection) else {}
    p = lambda key: _get(projection, key)  # noqa: E731
    proj_label = projection_path or js_or_empty(p("path")) or "<projection>"
    norm_path = normalize_contract_path(projection_path or js_or_empty(p("path")))
    norm_path_from_contract = normalize_contract_path(p("path"))
    norm_source_file = normalize_contract_path(p("source_file"))

    def contract_issue(kind, field, expected, found, message):
        issues.append(ProjectionIssue(kind, contract_path, contract_line_of(field), expected, found, message))

    status = _upper_trim(p("status"))
    if status != GENERATED_IN_SYNC:
        contract_issue(
            "status-not-in-sync", "status", GENERATED_IN_SYNC, js_or_empty(p("status")),
            f"{contract_path}: markdown_projection.status must be GENERATED_IN_SYNC for enforced projection checks",
        )
    for field in ("path", "source_file", "source_hash", "projection_hash", "generated_at_utc", "generator"):
        if not js_trim(js_or_empty(p(field))):
            contract_issue(
                "field-required", field, None, None,
                f"{contract_path or '<contract>'}: markdown_projection.{field} is required for enforced generated projection checks",
            )
    if norm_path and norm_path_from_contract and norm_path_from_contract != norm_path:
        contract_issue(
            "path-drift", "path", norm_path, norm_path_from_contract,
            f"{contract_path}: markdown_projection.path drift (expected {norm_path}, found {norm_path_from_contract})",
        )
    if not is_iso_timestamp(p("generated_at_utc")):
        contract_issue(
            "timestamp-not-iso", "generated_at_utc", None, js_or_empty(p("generated_at_utc")),
            f"{contract_path}: markdown_projection.generated_at_utc must be an ISO timestamp",
        )
    expected_source = contract_source_hash(contract)
    expected_projection = projection_body_hash(projection_text)
    found_source = js_or_empty(p("source_hash"))
    if found_source != expected_source:
        contract_issue(
            "source-hash", "source_hash", expected_source, found_source,
            f"{contract_path}: source_hash drift (expected {expected_source}, found {found_source or '<missing>'})",
        )
    found_projection = js_or_empty(p("projection_hash"))
    if found_projection != expected_projection:
        contract_issue(
            "projection-hash", "projection_hash", expected_projection, found_projection,
            f"{contract_path}: projection_hash drift for {proj_label} (expected {expected_projection}, found {found_projection or '<missing>'})",
        )
    header = parse_projection_header(projection_text)
    if header is None:
        issues.append(ProjectionIssue(
            "header-missing", proj_label, 1, None, None, f"{proj_label}: missing HANDSHAKE_GENERATED_PROJECTION header",
        ))
        return issues
    # (header key, value the contract implies, how the reference prints the
    # expected value in its message)
    comparisons = (
        ("schema_id", js_or_empty(contract.get("schema_id")), js_or_empty(contract.get("schema_id")) or "<missing>"),
        ("source_file", norm_source_file, norm_source_file or "<missing>"),
        ("source_hash", expected_source, expected_source),
        ("projection_hash", expected_projection, expected_projection),
        ("generated_at_utc", js_trim(js_or_empty(p("generated_at_utc"))), js_or_empty(p("generated_at_utc")) or "<missing>"),
        ("generator", js_trim(js_or_empty(p("generator"))), js_or_empty(p("generator")) or "<missing>"),
    )
    # The header is the projection's first line once leading white space
    # (BOM included) is skipped.
    header_line = projection_text[: len(projection_text) - len(projection_text.lstrip(_JS_WS_CHARS))].count("\n") + 1
    for key, expected, shown in comparisons:
        found = header.get(key)  # absent differs from "" in the reference
        if found != expected:
            issues.append(ProjectionIssue(
                f"header-{key}", proj_label, header_line, expected, found,
                f"{proj_label}: header {key} drift (expected {shown}, found {found or '<missing>'})",
            ))
    return issues


def iter_contract_files(repo: Repo, gov_root: str = ".GOV") -> list[str]:
    """The files the reference scans, repo-relative: ``packet.json``,
    ``refinement.json`` and ``MT-NNN.json`` (any case) directly inside
    ``task_packets/WP-*/`` folders; symlinks are neither folders nor files
    to it."""
    root = f"{gov_root}/task_packets"
    out: list[str] = []
    for name, kind in repo.list_dir(root):
        if name.startswith("WP-") and kind == "dir":
            out.extend(contract_files_in(repo, f"{root}/{name}"))
    # The reference sorts with localeCompare; only the order of its output
    # depends on this.
    return sorted(out)


def contract_files_in(repo: Repo, folder: str) -> list[str]:
    """The contract files of one packet folder, as the reference finds them."""
    return [f"{folder}/{name}" for name, kind in repo.list_dir(folder) if kind == "file" and CONTRACT_FILE_RE.match(name)]


def _is_pending_or_not_generated(status: str) -> bool:
    return status.startswith("NOT_GENERATED") or "PENDING" in status


def _repo_path(target: str) -> str | None:
    """A projection path as written, made repo-relative; None when it is
    absolute or climbs out of the repo (the reference would read it; a
    validator of hostile input does not)."""
    if target.startswith("/") or re.match(r"^[A-Za-z]:", target):
        return None
    norm = posixpath.normpath(target)
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def check_contract_file(repo: Repo, contract_file: str) -> ContractProjectionResult:
    """One contract (repo-relative path), as the reference script handles
    it; every file is read through ``repo``."""
    rel = contract_file
    wp_folder = PurePosixPath(rel).parent.name
    try:
        raw = repo.read_bytes(rel)
    except RepoError as exc:
        issue = ProjectionIssue("invalid-contract", rel, 1, None, None, f"{rel}: contract cannot be read ({exc})")
        return ContractProjectionResult(rel, wp_folder, None, None, False, (issue,), True)
    # The reference reads with JSON.parse: a BOM is a syntax error there,
    # and numbers are doubles.
    doc = loads_with_lines(raw, parse_int=_js_number_from_text, parse_float=_js_number_from_text, track_lines=False)
    bad = [p for p in doc.problems if p.kind != "invalid-utf8"]
    if bad:
        prob = bad[0]
        issue = ProjectionIssue(
            "invalid-contract", rel, prob.line, None, None,
            f"{rel}: invalid JSON contract ({prob.message} at line {prob.line} column {prob.column})",
        )
        return ContractProjectionResult(rel, wp_folder, None, None, False, (issue,), True)
    contract = doc.value
    projection = _get(contract, "markdown_projection")
    status_raw = _get(projection, "status") if _js_truthy(projection) else None
    status_text = js_or_empty(status_raw) or None
    status = _upper_trim(status_raw)

    line_map: list = []

    def line_of(field: str) -> int:
        # Lines are only needed for contracts with issues: map them lazily.
        if not line_map:
            line_map.append(loads_with_lines(raw))
        return line_map[0].line_of(("markdown_projection", field))

    if is_json_first_opt_out(contract):
        return ContractProjectionResult(rel, wp_folder, None, status_text, True, (), False)
    projection_rel = js_or_empty(_get(projection, "path") if _js_truthy(projection) else None).replace("\\", "/")
    if not projection_rel:
        issue = ProjectionIssue(
            "path-required", rel, line_of("path"), None, None, f"{rel}: markdown_projection.path is required",
        )
        return ContractProjectionResult(rel, wp_folder, None, status_text, False, (issue,), True)
    target = js_trim(projection_rel)
    in_repo = _repo_path(target) if target else None
    if target and in_repo is None:
        issue = ProjectionIssue(
            "projection-outside-repo", rel, line_of("path"), projection_rel, None,
            f"{rel}: projection path leaves the repository ({projection_rel}); not read",
        )
        return ContractProjectionResult(rel, wp_folder, projection_rel, status_text, False, (issue,), True)
    if in_repo is None or not repo.exists(in_repo):
        issue = ProjectionIssue(
            "projection-missing", rel, line_of("path"), projection_rel, None,
            f"{rel}: projection missing on disk ({projection_rel})",
        )
        # Missing is drift only when the contract says it was generated.
        pending = _is_pending_or_not_generated(status)
        return ContractProjectionResult(rel, wp_folder, projection_rel, status_text, False, (issue,), not pending)
    try:
        if not repo.is_file(in_repo):
            raise RepoError("not a regular file")  # a folder, a FIFO: never opened
        projection_text = repo.read_bytes(in_repo).decode("utf-8", errors="replace")
    except RepoError:
        # The reference crashes on a folder (EISDIR) and would block on a
        # FIFO; report either instead.
        issue = ProjectionIssue(
            "projection-unreadable", rel, line_of("path"), projection_rel, None,
            f"{rel}: projection path is not a readable file ({projection_rel})",
        )
        return ContractProjectionResult(rel, wp_folder, projection_rel, status_text, False, (issue,), True)
    issues = check_contract_projection_pair(
        contract, projection_text, rel, projection_rel, contract_line_of=line_of,
    )
    if _is_pending_or_not_generated(status):
        # Pending or not generated: the status and the absent stamps are
        # violations to the reference, not drift. Drift only when the
        # contract does carry a hash and it disagrees.
        is_drift = any(i.kind in ("source-hash", "projection-hash") and i.found for i in issues)
    else:
        is_drift = bool(issues)
    return ContractProjectionResult(rel, wp_folder, projection_rel, status_text, False, tuple(issues), is_drift)


def check_projections(repo: Repo, contract_files: Iterable[str] | None = None, gov_root: str = ".GOV") -> ProjectionReport:
    """Run the projection check over a repo (or the given repo-relative
    contract files)."""
    files = list(contract_files) if contract_files is not None else iter_contract_files(repo, gov_root)
    return ProjectionReport(tuple(check_contract_file(repo, f) for f in files))
