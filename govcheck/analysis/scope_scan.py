"""Searching the code a packet covers: the files under its IN_SCOPE_PATHS
(found and read by Repo), line by line, and capping the hits."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from govcheck.model import Finding, Packet

if TYPE_CHECKING:
    from govcheck.engine.context import Context


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20_000  # per packet: a guard against an IN_SCOPE_PATHS of "."
SKIP_DIRS = frozenset({".git", "node_modules", "target"})
DEFAULT_MAX_HITS = 100

_GLOB_CHARS = "*?["


def clean_scope_item(text: str) -> str | None:
    """``- `src/storage/` (new module)`` -> ``src/storage/``; None when the
    item names no path."""
    m = re.search(r"`([^`]+)`", text)
    token = m.group(1) if m else (text.split()[0] if text.split() else "")
    token = token.strip().strip("*\"'").rstrip(",;:").replace("\\", "/")
    if token.startswith("./"):
        token = token[2:]
    if not token or token.startswith(("/", "~")) or "{{" in token or "<" in token or ".." in token.split("/"):
        return None
    if "/" not in token and "." not in token and not any(c in token for c in _GLOB_CHARS):
        return None  # a word ("None", "Frontend"), not a path
    return token


def scope_files(packet: Packet, ctx: Context) -> list[str]:
    """Repo-relative files under the packet's IN_SCOPE_PATHS, sorted, each
    inside the repo, at most 2 MB (Repo.walk_files finds and records them)."""
    paths = [rel for rel in (clean_scope_item(item.text) for item in packet.scope.in_scope_paths) if rel is not None]
    return ctx.repo.walk_files(paths, skip_dirs=SKIP_DIRS, max_files=MAX_FILES, max_file_bytes=MAX_FILE_BYTES)


def scan(
    packet: Packet,
    ctx: Context,
    matchers: Sequence[tuple[str, Callable[[str], bool]]],
    globs: Sequence[str] = (),
) -> Iterator[tuple[str, int, str, str]]:
    """``(file, line, line text, pattern)`` for every line of every scoped
    file that a matcher accepts, in file and line order."""
    for rel in scope_files(packet, ctx):
        if globs and not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g.rstrip("/") + "/*") for g in globs):
            continue
        lines = ctx.repo.read_source_lines(rel)  # None: binary or unreadable
        if lines is None:
            continue
        for n, text in enumerate(lines, 1):
            for name, match in matchers:
                if match(text):
                    yield rel, n, text, name


def scope_line(packet: Packet) -> int:
    if packet.scope.in_scope_paths:
        return packet.scope.in_scope_paths[0].line
    return packet.scope.line or packet.title_line or 1


def max_hits(options) -> int:
    value = options.get("max_hits", DEFAULT_MAX_HITS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_HITS


def capped(packet: Packet, hits: Iterator[Finding], limit: int, what: str,
           hit: Callable[..., Finding]) -> Iterator[Finding]:
    """The first ``limit`` hits, then one summary finding (made with the
    rule's ``hit``) when there were more."""
    count = 0
    for f in hits:
        if count >= limit:
            yield hit(
                f"stopped after {limit} {what} hits in IN_SCOPE_PATHS (max_hits); there are more",
                line=scope_line(packet),
                data={"max_hits": limit, "truncated": True},
            )
            return
        count += 1
        yield f
