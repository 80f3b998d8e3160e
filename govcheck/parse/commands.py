"""Split the text of a TEST_PLAN shell block into logical commands.

One command per line; blank lines and ``#`` comments are skipped; a line
ending in a backslash continues on the next; a heredoc (``<<EOF`` ...
``EOF``, ``<<-EOF``, quoted delimiters) is kept whole with the line that
opened it, so the runner can hand it to ``bash -c`` unchanged.
"""

from __future__ import annotations

import re

from govcheck.model import Command

# << or <<- followed by an optionally quoted word; not <<< (a here-string).
_HEREDOC_RE = re.compile(r"(?<!<)<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


def split_commands(block_text: str, first_line: int) -> tuple[Command, ...]:
    """``first_line`` is the source line of the block's first content line."""
    lines = block_text.split("\n")
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = [raw.rstrip()]
        # Backslash continuations.
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            parts.append(lines[i].rstrip())
        text = "\n".join(p.strip() if k == 0 else p for k, p in enumerate(parts))
        # Heredocs: every delimiter opened on the command's lines, in order.
        pending = [(m.group(1) == "-", m.group(3)) for m in _HEREDOC_RE.finditer(text)]
        body: list[str] = []
        for strip_tabs, delim in pending:
            while i + 1 < len(lines):
                i += 1
                body.append(lines[i])
                candidate = lines[i].lstrip("\t") if strip_tabs else lines[i]
                if candidate.strip() == delim:
                    break
        if body:
            text = text + "\n" + "\n".join(body)
        commands.append(Command(text=text.strip(), line=first_line + start))
        i += 1
    return tuple(commands)
