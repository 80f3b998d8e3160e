"""Scans of the code a packet covers: forbidden patterns (CX-573E) and the
patterns its RISK_MAP tells the validator to review.

Both rules search the files under the packet's IN_SCOPE_PATHS that exist
in the repo (files, folders recursively, or globs), never leaving the repo,
skipping binary files, files over 2 MB and the ``.git``, ``node_modules``
and ``target`` folders. Findings point at the hit (path = the source file,
line = its line) so CI annotations land on the code.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Callable, Iterator, Sequence

from govcheck.engine.context import Context
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, INFO, hit, rule

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20_000  # per packet: a guard against an IN_SCOPE_PATHS of "."
SKIP_DIRS = frozenset({".git", "node_modules", "target"})
DEFAULT_MAX_HITS = 100

_GLOB_CHARS = "*?["


def _clean_scope_item(text: str) -> str | None:
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
    inside the repo, at most 2 MB, not binary."""
    repo = ctx.repo
    found: set[str] = set()

    def add_file(p: Path) -> None:
        if len(found) >= MAX_FILES or not repo.inside(p) or not p.is_file():
            return
        repo.record(p)
        try:
            if p.stat().st_size > MAX_FILE_BYTES:
                return
        except OSError:
            return
        found.add(repo.rel(p.resolve()) if p.is_symlink() else repo.rel(p))

    def add_dir(d: Path) -> None:
        for dirpath, dirnames, filenames in os.walk(d, followlinks=False):
            dirnames[:] = sorted(n for n in dirnames if n not in SKIP_DIRS)
            here = Path(dirpath)
            if not repo.inside(here):
                dirnames[:] = []
                continue
            repo.record(here)  # a folder's mtime moves when entries come or go
            for name in sorted(filenames):
                add_file(here / name)
            if len(found) >= MAX_FILES:
                return

    for item in packet.scope.in_scope_paths:
        rel = _clean_scope_item(item.text)
        if rel is None:
            continue
        if any(c in rel for c in _GLOB_CHARS):
            repo.unrecordable()  # which files a glob matches is not one file's state
            try:
                matches = sorted(repo.root.glob(rel))
            except (ValueError, NotImplementedError, OSError):
                continue
            for p in matches:
                if repo.inside(p):
                    add_dir(p) if p.is_dir() else add_file(p)
            continue
        p = repo.abs(rel.rstrip("/"))
        repo.record(p)
        if not repo.inside(p) or repo.stat(p) is None:  # the path is the packet's: any name, any length
            continue
        if repo.is_dir(p):
            add_dir(p)
        else:
            add_file(p)
    return sorted(found)


def _read_lines(ctx: Context, rel: str) -> list[str] | None:
    """The file's text lines, or None for a binary or unreadable file. Read
    directly (not memoised by Repo): a scan may touch thousands of files."""
    p = ctx.repo.abs(rel)
    if not ctx.repo.inside(p):
        return None
    try:
        data = p.read_bytes()
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")


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
        lines = _read_lines(ctx, rel)
        if lines is None:
            continue
        for n, text in enumerate(lines, 1):
            for name, match in matchers:
                if match(text):
                    yield rel, n, text, name


def _scope_line(packet: Packet) -> int:
    if packet.scope.in_scope_paths:
        return packet.scope.in_scope_paths[0].line
    return packet.scope.line or packet.title_line or 1


def _max_hits(options) -> int:
    value = options.get("max_hits", DEFAULT_MAX_HITS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_HITS


def _capped(packet: Packet, hits: Iterator[Finding], limit: int, what: str) -> Iterator[Finding]:
    count = 0
    for f in hits:
        if count >= limit:
            yield hit(
                f"stopped after {limit} {what} hits in IN_SCOPE_PATHS (max_hits); there are more",
                line=_scope_line(packet),
                data={"max_hits": limit, "truncated": True},
            )
            return
        count += 1
        yield f


# --------------------------------------------------------------------------
# forbidden-pattern
# --------------------------------------------------------------------------


@rule(
    "forbidden-pattern",
    severity=ERROR,
    codex="CX-573E",
    summary="A forbidden pattern occurs in the packet's in-scope code",
    options={
        "patterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Python regular expressions that must not occur in in-scope files (empty: the rule is silent).",
        },
        "paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only scan in-scope files matching one of these globs (e.g. 'src/**/*.rs').",
        },
        "max_hits": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_HITS,
            "description": "Report at most this many hits per packet, then one summary finding.",
        },
    },
)
def forbidden_pattern(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The configured ``patterns`` (Python regular expressions) must not occur
    in the files under the packet's IN_SCOPE_PATHS that exist in the repo
    (files, folders searched recursively, globs), optionally restricted to
    the ``paths`` globs. Binary files, files over 2 MB and ``.git``,
    ``node_modules`` and ``target`` folders are skipped; symlinks leading
    out of the repo are not followed. Each hit is one finding located at the
    hit (``src/x.rs:12``) with ``data: {file, line, pattern, text}``; after
    ``max_hits`` (default 100) one summary finding says the list was cut.
    With no patterns configured the rule is silent.

    Why
    CX-573E (Forbidden Pattern Audit): before a PASS the validator must
    search the changed code for the spec's forbidden patterns
    (``unwrap()``, ``split_whitespace()``, ``todo!``, ``println!`` ...);
    any hit in a production path fails the work.

    How to fix
    Remove the pattern from the code (handle the error instead of
    ``unwrap()``, log instead of ``println!``), or narrow ``paths`` if the
    hit is in test code the rule should not cover.

    Example
        # govcheck.yaml
        rules:
          forbidden-pattern:
            patterns: ['\\.unwrap\\(\\)', 'split_whitespace\\(\\)', 'todo!']
            paths: ['src/**/*.rs']
    """
    options = ctx.options("forbidden-pattern")
    patterns = [p for p in options.get("patterns") or () if isinstance(p, str) and p]
    if not patterns:
        return
    matchers = []
    for p in patterns:
        try:
            regex = re.compile(p)
        except re.error as exc:
            yield hit(
                f"forbidden-pattern: pattern '{p}' is not a valid regular expression ({exc})",
                line=_scope_line(packet),
                data={"pattern": p, "error": str(exc)},
            )
            continue
        matchers.append((p, regex.search))
    if not matchers:
        return

    def hits() -> Iterator[Finding]:
        for rel, n, text, pattern in scan(packet, ctx, matchers, tuple(options.get("paths") or ())):
            yield hit(
                f"forbidden pattern '{pattern}' in {rel}:{n}: {text.strip()[:160]}",
                path=rel,
                line=n,
                data={"file": rel, "line": n, "pattern": pattern, "text": text.strip()[:400]},
            )

    yield from _capped(packet, hits(), _max_hits(options), "forbidden-pattern")


# --------------------------------------------------------------------------
# risk-map-hit
# --------------------------------------------------------------------------

_BACKTICK_RE = re.compile(r"`([^`\n]+)`")


def risk_patterns(packet: Packet) -> list[tuple[str, str, int]]:
    """``(pattern, risk text, line)`` for each backticked pattern in the
    packet's RISK_MAP (its value and its list items)."""
    history = [(r.line, r.end_line) for r in packet.validation_reports]
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for f in packet.fields_named("RISK_MAP"):
        if any(a <= f.line <= b for a, b in history):
            continue
        for text, line in ((f.value, f.line), *((it.text, it.line) for it in f.items)):
            for m in _BACKTICK_RE.finditer(text):
                pattern = m.group(1)
                if len(pattern.strip()) < 2 or pattern in seen:
                    continue
                seen.add(pattern)
                out.append((pattern, text.strip(), line))
    return out


@rule(
    "risk-map-hit",
    severity=INFO,
    summary="A pattern the packet's RISK_MAP names occurs in its in-scope code",
    options={
        "enabled": {
            "type": "boolean",
            "default": True,
            "description": "Search the RISK_MAP patterns (on by default; the hits are info notes for the validator, never failures).",
        },
        "max_hits": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_HITS,
            "description": "Report at most this many hits per packet, then one summary finding.",
        },
    },
)
def risk_map_hit(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each backticked pattern in the packet's RISK_MAP (for example
    ``- SQL portability -> review migrations for `?1`, `strftime`, `CREATE
    TRIGGER`.``) is searched for literally (case-sensitive) in the files
    under IN_SCOPE_PATHS, like ``forbidden-pattern`` does. Every hit is an
    info finding located at the hit, with ``data: {file, line, pattern,
    text, risk}``; after ``max_hits`` (default 100) one summary finding.
    The hits are info findings: they never fail a packet. Turn the rule
    off with ``severity: off`` (or ``enabled: false``).

    Why
    The RISK_MAP is the orchestrator's list of what can go wrong; its
    backticked terms are what the validator should look at. Listing where
    they occur turns the map into a review checklist. Hits are not errors:
    the validator judges each.

    How to fix
    Nothing to fix: review each location. To silence it:
        rules:
          risk-map-hit: {severity: "off"}

    Example
        - RISK_MAP:
          - Lease never expires -> check `visibility_timeout`
    lists ``src/jobs/queue.py:7`` and every other line using it.
    """
    options = ctx.options("risk-map-hit")
    if not options.get("enabled", True):
        return
    patterns = risk_patterns(packet)
    if not patterns:
        return
    risks = {p: risk for p, risk, _ in patterns}
    matchers = [(p, (lambda text, p=p: p in text)) for p, _, _ in patterns]

    def hits() -> Iterator[Finding]:
        for rel, n, text, pattern in scan(packet, ctx, matchers):
            yield hit(
                f"RISK_MAP pattern `{pattern}` in {rel}:{n}: {text.strip()[:160]}",
                path=rel,
                line=n,
                data={"file": rel, "line": n, "pattern": pattern, "text": text.strip()[:400], "risk": risks[pattern][:200]},
            )

    yield from _capped(packet, hits(), _max_hits(options), "RISK_MAP")
