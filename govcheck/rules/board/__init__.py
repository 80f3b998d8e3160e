"""The board rules, one module per rule. Importing this package registers them."""

from govcheck.rules.board import task_board_mismatch  # noqa: F401
