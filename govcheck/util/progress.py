"""Live progress for running TEST_PLAN commands: a status line per running
packet on a terminal, nothing when stderr is not a terminal or in CI.

Progress goes to stderr so that stdout stays the report, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import TextIO


def progress_wanted(stream: TextIO, quiet: bool) -> bool:
    if quiet or os.environ.get("CI") or os.environ.get("GOVCHECK_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Redraws, twice a second, one line per running packet:
    ``WP-1-X  [2/3] 12.4s  cargo test --manifest-path ...``."""

    def __init__(self, stream: TextIO = sys.stderr, verbose: bool = False, live: bool = True) -> None:
        self.stream = stream
        self.verbose = verbose
        self.live = live
        self.running: dict[str, tuple[int, int, str, float]] = {}
        self.lock = threading.Lock()
        self.drawn = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Progress":
        if self.live:
            self._thread = threading.Thread(target=self._loop, name="govcheck-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self.lock:
            self._clear()

    def event(self, kind: str, packet_id: str, n: int, total: int, command: str) -> None:
        with self.lock:
            if kind == "start":
                self.running[packet_id] = (n, total, command, time.monotonic())
            elif kind == "end":
                started = self.running.pop(packet_id, None)
                if self.verbose:
                    self._clear()
                    took = f" ({time.monotonic() - started[3]:.1f}s)" if started and started[0] == n else ""
                    self.stream.write(f"govcheck: {packet_id} [{n}/{total}] done{took}: {command[:100]}\n")
                    self.stream.flush()

    def _clear(self) -> None:
        if self.drawn and self.live:
            # up to the first drawn line, clearing each
            self.stream.write("\r\x1b[2K" + "\x1b[1A\x1b[2K" * (self.drawn - 1))
            self.stream.flush()
        self.drawn = 0

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            with self.lock:
                width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
                now = time.monotonic()
                lines = [
                    f"{pid}  [{n}/{total}] {now - start:6.1f}s  {cmd}"[:width]
                    for pid, (n, total, cmd, start) in sorted(self.running.items())
                ]
                self._clear()
                if lines:
                    self.stream.write("\n".join(lines))
                    self.stream.flush()
                    self.drawn = len(lines)
