"""The ``markdown-malformed`` rule. Its docstring is its documentation: ``govcheck explain markdown-malformed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, WARNING, hit, rule

if TYPE_CHECKING:
    from govcheck.engine.context import Context


_STRUCTURE_KINDS = {
    "unterminated-fence": ERROR,
    "long-line": ERROR,
    "deep-nesting": ERROR,
    "mangled-fence": WARNING,
    # Front matter (profiles that read it) that is not valid YAML/TOML: its
    # fields are not read, so what the packet states there is unknown.
    "front-matter": ERROR,
}


@rule(
    "markdown-malformed",
    severity=ERROR,
    summary="The packet's Markdown structure is broken",
)
def markdown_malformed(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A code fence that is never closed (it swallows the rest of the packet,
    TEST_PLAN and DONE_MEANS included), a line longer than 20,000
    characters (not parsed), list nesting deeper than 40 levels (not
    parsed), and, as a warning, a ```bash fence mangled by a shell rewrite
    into a backtick, a backspace byte and ``ash`` (govcheck reads it as a
    fence and says so). Under profiles that read front matter (generic):
    a ``---`` / ``+++`` block at the top that is not valid YAML / TOML, or
    not a mapping of keys to values (its fields are then not read).

    Why
    Each makes the packet read differently in different tools; a reviewer
    sees a TEST_PLAN that a script does not, or the other way round.

    How to fix
    Close the fence; split the line; flatten the list; restore the
    ```bash fence.

    Example
        ```bash
        cargo test
        (no closing fence)
    """
    for issue in packet.parse_issues:
        sev = _STRUCTURE_KINDS.get(issue.kind)
        if sev is not None:
            yield hit(issue.detail, line=issue.line, data={"kind": issue.kind}, severity=sev if sev is not ERROR else None)
