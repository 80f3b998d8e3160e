"""JSON documents read with positions: the decoded value plus the 1-based
line on which each value starts, so a finding about a contract field can
name ``packet.json:LINE``.

Decoding is strict in the way JavaScript's ``JSON.parse`` is (the reference
project's tools read these files with it): ``NaN``/``Infinity`` are not
JSON, and a document that fails to decode yields a ``JsonProblem`` with the
line and column of the failure, never an exception. A nesting so deep that
Python's decoder runs out of stack is reported the same way.

The line map comes from a second, iterative pass over the tokens (no
recursion, so deep documents cannot overflow it); it only runs on text the
decoder already accepted, so it can assume the text is well formed.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class JsonProblem:
    """Why a JSON file could not be read as intended.

    kind: ``invalid-json`` (syntax; line/column from the decoder),
    ``too-deep`` (nesting beyond what the decoder can follow),
    ``not-js-json`` (``NaN``/``Infinity``: accepted by Python, rejected by
    JavaScript), ``bom`` (a UTF-8 byte order mark: JavaScript's JSON.parse
    rejects it, govcheck reads past it), ``invalid-utf8`` (bytes replaced).
    """

    kind: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class JsonDocument:
    value: Any  # the decoded document; None when it could not be decoded
    problems: tuple[JsonProblem, ...] = ()
    # The decoded text, kept when lines are tracked (None otherwise, or
    # when it did not decode): line_of() looks paths up in it on demand.
    text: str | None = field(default=None, compare=False, hash=False, repr=False)
    has_bom: bool = False

    @property
    def ok(self) -> bool:
        """Decoded (possibly with a BOM or replaced bytes noted)."""
        return not any(p.kind in ("invalid-json", "too-deep", "not-js-json") for p in self.problems)

    @cached_property
    def lines(self) -> dict:
        """Path -> line of the first character of the value at that path
        (the first occurrence, when an object repeats a key), for every
        value of the document; {} without text."""
        return _map_lines(self.text) if self.text is not None else {}

    def line_of(self, path: tuple) -> int:
        """Line of the value at ``path``, else of its nearest enclosing
        value that has one, else 1.

        Callers ask for a few dozen paths of a document they rarely report
        on, so the paths are looked up in the text on demand (each
        container's members are listed once, skipping their values at C
        speed) instead of mapping every value: the answer is the one
        ``lines`` gives."""
        if self.text is None:
            return 1
        try:
            return self._paths.line_of(path)
        except (ValueError, IndexError, StopIteration, RecursionError):  # pragma: no cover - decoded text
            return mapped_line_of(self.lines, path)

    @cached_property
    def _paths(self) -> "_PathIndex":
        assert self.text is not None
        return _PathIndex(self.text)


def mapped_line_of(lines: dict, path: tuple) -> int:
    """``line_of`` from a full map (``_map_lines``)."""
    while path:
        line = lines.get(path)
        if line is not None:
            return line
        path = path[:-1]
    return lines.get((), 1)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_CONSTANT_RE = re.compile(r"-?Infinity|NaN")


_WS_RE = re.compile(r"[ \t\n\r]*")
_SCAN = json.JSONDecoder().scan_once  # C: skips a well-formed value, returns its end
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


def _value_start(text: str, pos: int) -> int:
    if pos < len(text) and text[pos] not in " \t\n\r":
        return pos
    return _WS_RE.match(text, pos).end()  # type: ignore[union-attr]


class _PathIndex:
    """Where the values of well-formed JSON ``text`` start, found on demand:
    each container's members are listed once (keys read, values skipped
    by the C scanner), so looking up every item of a long list costs one
    pass over it, not one per item."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._members: dict[int, dict[str, list[int]] | list[int]] = {}

    def members(self, pos: int) -> dict[str, list[int]] | list[int]:
        """The members of the container starting at ``pos``: key -> value
        offsets (every occurrence, in order) for an object, item offsets
        for an array."""
        found = self._members.get(pos)
        if found is not None:
            return found
        text = self.text
        close = "}" if text[pos] == "{" else "]"
        keyed: dict[str, list[int]] = {}
        items: list[int] = []
        i = _value_start(text, pos + 1)
        if text[i] != close:
            while True:
                if close == "}":
                    key, i = _scanstring(text, i + 1)  # i: the opening quote
                    i = _value_start(text, _value_start(text, i) + 1)  # past ':'
                    keyed.setdefault(key, []).append(i)
                else:
                    items.append(i)
                i = _value_start(text, _SCAN(text, i)[1])
                if text[i] == close:
                    break
                i = _value_start(text, i + 1)  # past ','
        found = keyed if close == "}" else items
        self._members[pos] = found
        return found

    def find(self, pos: int, path: tuple) -> int | None:
        """Offset of the first value (in document order) at ``path`` below
        the value at ``pos``, or None. An object may repeat a key: each
        occurrence is searched, in order (as ``_map_lines`` records the
        first value it meets at a path)."""
        if not path:
            return pos
        step, rest = path[0], path[1:]
        opener = self.text[pos]
        if opener == "{" and isinstance(step, str):
            for at in self.members(pos).get(step, ()):  # type: ignore[union-attr]
                found = self.find(at, rest)
                if found is not None:
                    return found
        elif opener == "[" and isinstance(step, int) and step >= 0:
            items = self.members(pos)
            if step < len(items):
                return self.find(items[step], rest)  # type: ignore[index]
        return None

    def line_of(self, path: tuple) -> int:
        root = _value_start(self.text, 0)
        for k in range(len(path), -1, -1):
            pos = self.find(root, path[:k])
            if pos is not None:
                return self.text.count("\n", 0, pos) + 1
        return 1  # pragma: no cover - the root value is always found


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _map_lines(text: str) -> dict:
    """Path -> line for every value in well-formed JSON ``text``."""
    starts = _line_starts(text)
    lines: dict = {}
    # One entry per open container: [kind, next key or index, expecting a key]
    stack: list[list] = []
    path: list = []

    def close_value() -> None:
        # The value at the end of ``path`` is complete: step out of it, and
        # an enclosing object now expects its next key.
        if stack:
            path.pop()
            if stack[-1][0] == "{":
                stack[-1][2] = True

    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        if tok in (",", ":"):
            continue
        if tok in ("}", "]"):
            stack.pop()
            close_value()
            continue
        top = stack[-1] if stack else None
        if top is not None and top[0] == "{" and top[2]:
            top[1] = json.loads(tok)  # the key, JSON escapes decoded
            top[2] = False
            continue
        if top is not None:
            path.append(top[1])
            if top[0] == "[":
                top[1] += 1
        lines.setdefault(tuple(path), bisect.bisect_right(starts, m.start()))
        if tok == "{":
            stack.append(["{", None, True])
        elif tok == "[":
            stack.append(["[", 0, False])
        else:
            close_value()
    return lines


def loads_with_lines(data: bytes | str, *, parse_int=None, parse_float=None, track_lines: bool = True) -> JsonDocument:
    """Decode a JSON document, never raising for bad input."""
    problems: list[JsonProblem] = []
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", errors="replace")
            line = data[: exc.start].count(b"\n") + 1
            problems.append(JsonProblem("invalid-utf8", line, 1, f"invalid UTF-8 at byte {exc.start}; bytes replaced"))
    else:
        text = data
    has_bom = text.startswith("\ufeff")
    if has_bom:
        text = text[1:]
        problems.append(JsonProblem("bom", 1, 1, "file starts with a UTF-8 byte order mark"))
    kwargs = {"parse_constant": _reject_constant}
    if parse_int is not None:
        kwargs["parse_int"] = parse_int
    if parse_float is not None:
        kwargs["parse_float"] = parse_float
    try:
        value = json.loads(text, **kwargs)
    except json.JSONDecodeError as exc:
        problems.append(JsonProblem("invalid-json", exc.lineno, exc.colno, exc.msg))
        return JsonDocument(None, tuple(problems), None, has_bom)
    except RecursionError:
        # json recurses once per level: 100,000 "[" exhaust the stack. It
        # cannot go deeper than the recursion limit, so the scan for where
        # the nesting gets too deep stops there (one pass over 16 MiB in
        # Python would take seconds).
        limit = sys.getrecursionlimit()
        depth, line, column = nesting_depth(text, stop_above=limit)
        how_deep = f"more than {limit:,}" if depth > limit else f"{depth:,}"
        problems.append(JsonProblem("too-deep", line, column,
                                    f"arrays and objects nest {how_deep} levels deep (from this line), "
                                    "deeper than the JSON reader goes; not read"))
        return JsonDocument(None, tuple(problems), None, has_bom)
    except ValueError as exc:  # NaN / Infinity via parse_constant
        line, col = 1, 1
        m = _first_bare_constant(text)
        if m is not None:
            line = text.count("\n", 0, m) + 1
            col = m - (text.rfind("\n", 0, m) + 1) + 1
        problems.append(JsonProblem("not-js-json", line, col, str(exc)))
        return JsonDocument(None, tuple(problems), None, has_bom)
    return JsonDocument(value, tuple(problems), text if track_lines else None, has_bom)


# A string (closed, or unterminated at the line's end: then every quote
# starts one match and no text is scanned twice), a bracket, or a newline.
_STRUCTURE_RE = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|[\[\]{}\n]')


def nesting_depth(text: str, stop_above: int | None = None) -> tuple[int, int, int]:
    """How deep arrays and objects nest in ``text``, and the 1-based line and
    column where that depth is first reached; with ``stop_above``, the first
    depth past it and its place (the scan stops there). Brackets inside
    strings do not count. Iterative: any depth is safe."""
    depth = deepest = 0
    line = deepest_line = 1
    line_start = 0
    deepest_column = 1
    for m in _STRUCTURE_RE.finditer(text):
        ch = m.group(0)
        if ch == "\n":
            line += 1
            line_start = m.end()
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line, deepest_column = depth, line, m.start() - line_start + 1
                if stop_above is not None and depth > stop_above:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest, deepest_line, deepest_column


def _first_bare_constant(text: str) -> int | None:
    """Offset of the first NaN/Infinity outside strings."""
    for m in _TOKEN_RE.finditer(text):
        if _CONSTANT_RE.fullmatch(m.group(0)):
            return m.start()
    return None
