"""The ``forbidden-pattern`` rule. Its docstring is its documentation: ``govcheck explain forbidden-pattern``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from govcheck.analysis.scope_scan import (
    DEFAULT_MAX_HITS,
    capped,
    max_hits,
    scan,
    scope_line,
)
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


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
                line=scope_line(packet),
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

    yield from capped(packet, hits(), max_hits(options), "forbidden-pattern", hit)
