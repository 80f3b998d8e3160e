"""The task board as the board rules read it: found by the repo's layout,
read through Repo and parsed once per run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govcheck.errors import GovcheckError
from govcheck.parse.board import BoardLine, parse_board

if TYPE_CHECKING:
    from govcheck.engine.context import Context


def task_board(ctx: Context) -> tuple[str, list[BoardLine]] | None:
    """``(path, lines)`` of the repo's task board, or None when the repo has
    none or it cannot be read."""
    path = ctx.repo.task_board_path
    if path is None:
        return None
    lines = ctx.memo(f"task-board:{path}", lambda: _read_board(ctx, path))
    return None if lines is None else (path, lines)


def _read_board(ctx: Context, path: str) -> list[BoardLine] | None:
    try:
        return parse_board(ctx.repo.read_text(path))
    except GovcheckError:
        return None
