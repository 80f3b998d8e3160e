"""The task board: its line formats, and whether it agrees with the packets.

One module per rule; importing this package registers them.
"""

from govcheck.rules.board import task_board_format, task_board_mismatch  # noqa: F401
