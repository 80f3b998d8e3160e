"""Progress: live lines on a terminal, nothing in CI or when piped."""

from __future__ import annotations

import io
import time

from govcheck.util.progress import Progress, progress_wanted


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert progress_wanted(FakeTTY(), quiet=False)
    assert not progress_wanted(FakeTTY(), quiet=True)
    assert not progress_wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(FakeTTY(), quiet=False)


def test_live_line_per_running_packet_then_cleared():
    out = FakeTTY()
    with Progress(out, live=True) as p:
        p.event("start", "WP-1-A", 1, 2, "cargo test")
        p.event("start", "WP-1-B", 1, 1, "pnpm test")
        time.sleep(1.2)
        text = out.getvalue()
        p.event("end", "WP-1-A", 1, 2, "cargo test")
        p.event("end", "WP-1-B", 1, 1, "pnpm test")
    assert "WP-1-A  [1/2]" in text and "cargo test" in text
    assert "WP-1-B  [1/1]" in text
    assert "s  " in text  # elapsed seconds
    assert out.getvalue().endswith("\x1b[2K")  # the live lines are cleared at the end


def test_verbose_prints_finished_commands_without_a_terminal():
    out = io.StringIO()
    with Progress(out, verbose=True, live=False) as p:
        p.event("start", "WP-1-A", 1, 1, "make check")
        p.event("end", "WP-1-A", 1, 1, "make check")
    assert out.getvalue().startswith("govcheck: WP-1-A [1/1] done (")
    assert "\x1b" not in out.getvalue()
