"""Front matter: YAML between ``---`` lines, or TOML between ``+++`` lines,
at the top of a packet, read as fields.

Each top-level key becomes a field with the line it is on. Values are kept
as written (``anchors: [2.1, 3.2]`` stays the strings ``2.1`` and ``3.2``,
never the floats 2.1 and 3.2); a list keeps every item with its own line.
Nested mappings are not fields (their keys are not the packet's). A broken
block is one parse issue naming its line; the Markdown below is read all
the same.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Front matter larger than this is not read (a packet's metadata is small).
MAX_FRONT_MATTER_LINES = 2_000


@dataclass(frozen=True)
class FrontValue:
    key: str  # as written
    line: int  # 1-based line of the key
    value: str  # a scalar as written; list items joined with ", "
    items: tuple[tuple[str, int], ...] = ()  # list items with their lines
    is_list: bool = False


@dataclass(frozen=True)
class FrontMatter:
    first: int  # 1-based line of the opening delimiter
    last: int  # 1-based line of the closing delimiter
    values: tuple[FrontValue, ...]
    problem: tuple[int, str] | None = None  # (line, what) when it could not be read


def find_front_matter(lines: list[str]) -> tuple[str, int] | None:
    """(delimiter, 1-based closing line) of a front-matter block opening on
    the first line, or None."""
    if not lines:
        return None
    first = lines[0].lstrip("\ufeff").rstrip()
    if first not in ("---", "+++"):
        return None
    for n in range(1, min(len(lines), MAX_FRONT_MATTER_LINES)):
        if lines[n].rstrip() == first or (first == "---" and lines[n].rstrip() == "..."):
            return first, n + 1
    return None


def read_front_matter(lines: list[str]) -> FrontMatter | None:
    found = find_front_matter(lines)
    if found is None:
        return None
    delimiter, last = found
    body = "\n".join(lines[1 : last - 1])
    try:
        if delimiter == "---":
            values = _yaml_values(body)
        else:
            values = _toml_values(body, lines[1 : last - 1])
    except _Unreadable as exc:
        return FrontMatter(1, last, (), (exc.line + 1, exc.what))
    return FrontMatter(1, last, tuple(values))


class _Unreadable(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line  # 1-based within the block
        self.what = what


def _yaml_values(body: str) -> list[FrontValue]:
    import yaml  # here: only a dialect with YAML front matter needs it (~15 ms to import)

    try:
        root = yaml.compose(body, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # The construct that was left open (a flow list's "[") is where the
        # writer has to look; the problem mark is where the parser noticed.
        mark = exc.context_mark or exc.problem_mark
        raise _Unreadable(mark.line + 1 if mark else 1, f"front matter is not valid YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, RecursionError):
        raise _Unreadable(1, "front matter is not valid YAML") from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise _Unreadable(root.start_mark.line + 1, "front matter is not a mapping of keys to values")
    out = []
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        line = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the opening ---
        if isinstance(value_node, yaml.ScalarNode):
            value = "" if value_node.tag.endswith(":null") and value_node.value in ("", "~", "null") else value_node.value
            out.append(FrontValue(str(key_node.value), line, str(value)))
        elif isinstance(value_node, yaml.SequenceNode):
            items = tuple((str(item.value), item.start_mark.line + 2) for item in value_node.value
                          if isinstance(item, yaml.ScalarNode))
            out.append(FrontValue(str(key_node.value), line, ", ".join(t for t, _ in items), items, True))
    return out


def _toml_values(body: str, lines: list[str]) -> list[FrontValue]:
    try:
        doc = tomllib.loads(body, parse_float=str)  # "2.10" stays 2.10, never the float 2.1
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise _Unreadable(int(m.group(1)) if m else 1, f"front matter is not valid TOML: {exc}") from None
    except RecursionError:
        raise _Unreadable(1, "front matter is not valid TOML (nested too deeply)") from None
    out = []
    for key, value in doc.items():
        line = _toml_key_line(lines, key)
        if isinstance(value, list):
            items = tuple((_plain(v), line) for v in value if not isinstance(v, (dict, list)))
            out.append(FrontValue(key, line, ", ".join(t for t, _ in items), items, True))
        elif not isinstance(value, dict):
            out.append(FrontValue(key, line, _plain(value)))
    return out


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return, attr-defined]
    return str(value)


def _toml_key_line(lines: list[str], key: str) -> int:
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for n, text in enumerate(lines):
        if pattern.match(text):
            return n + 2
    return 1
