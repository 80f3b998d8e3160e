"""Live progress for running TEST_PLAN commands: an overall line (packets
done of the total, elapsed time, an estimate of the time left) and a status
line per running packet on a terminal, nothing when stderr is not a
terminal or in CI.

Progress goes to stderr so that stdout stays the report, byte for byte, and
it takes its width from stderr: stdout is often redirected to a file, and
a width read from it (100 columns by default) wraps every line on a
narrower screen, which breaks the cursor-up redraw.
"""

from __future__ import annotations

import os
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


def terminal_width(stream: TextIO, fallback: int = 80) -> int:
    """Columns of the terminal ``stream`` writes to (COLUMNS wins, as for
    shutil); ``fallback`` when it is no terminal."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return os.get_terminal_size(stream.fileno()).columns or fallback
    except (AttributeError, ValueError, OSError):
        return fallback


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Redraws, twice a second, an overall line and one line per running
    packet::

        govcheck: 12/40 packets, 1m02s, about 2m10s left
        WP-1-X  [2/3] 12.4s  cargo test --manifest-path ...
    """

    def __init__(self, stream: TextIO = sys.stderr, verbose: bool = False, live: bool = True) -> None:
        self.stream = stream
        self.verbose = verbose
        self.live = live
        self.running: dict[str, tuple[int, int, str, float]] = {}
        self.lock = threading.Lock()
        self.drawn = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.total_packets = 0  # from the engine's "plan" event
        self.done_packets = 0
        self.started = time.monotonic()

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
            if kind == "plan":
                self.total_packets, self.done_packets, self.started = total, 0, time.monotonic()
            elif kind == "start":
                self.running[packet_id] = (n, total, command, time.monotonic())
            elif kind == "end":
                started = self.running.pop(packet_id, None)
                if n == total:
                    self.done_packets += 1
                if self.verbose:
                    self._clear()
                    took = f" ({time.monotonic() - started[3]:.1f}s)" if started and started[0] == n else ""
                    self.stream.write(f"govcheck: {packet_id} [{n}/{total}] done{took}: {command[:100]}\n")
                    self.stream.flush()

    def overall(self, now: float) -> str:
        elapsed = now - self.started
        line = f"govcheck: {self.done_packets}/{self.total_packets} packets, {_clock(elapsed)}"
        if 0 < self.done_packets < self.total_packets:
            # Packets take very different times; the mean so far is the
            # estimate that needs no history.
            left = elapsed / self.done_packets * (self.total_packets - self.done_packets)
            line += f", about {_clock(left)} left"
        return line

    def _clear(self) -> None:
        if self.drawn and self.live:
            # up to the first drawn line, clearing each
            self.stream.write("\r\x1b[2K" + "\x1b[1A\x1b[2K" * (self.drawn - 1))
            self.stream.flush()
        self.drawn = 0

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            with self.lock:
                # One column short: a line as wide as the screen wraps on some terminals.
                width = max(20, terminal_width(self.stream) - 1)
                now = time.monotonic()
                lines = [self.overall(now)[:width]] if self.total_packets else []
                lines += [
                    f"{pid}  [{n}/{total}] {now - start:6.1f}s  {cmd}"[:width]
                    for pid, (n, total, cmd, start) in sorted(self.running.items())
                ]
                self._clear()
                if lines:
                    self.stream.write("\n".join(lines))
                    self.stream.flush()
                    self.drawn = len(lines)
