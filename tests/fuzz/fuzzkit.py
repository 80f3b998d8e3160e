"""What every fuzz target shares: the settings (seeded, a small default
number of examples, a time budget), a repo to mutate, and the one
property all of them check.

The property: whatever the hostile input, ``govcheck`` answers. A packet
problem is a finding in a report valid against schemas/report.schema.json
(exit 0 or 1); a setup problem (config, baseline, SPEC_CURRENT) is exit 2
with exactly one line on stderr; never an internal error, never a hang.

Knobs (environment):

- ``GOVCHECK_FUZZ_EXAMPLES``: examples per target (default 12, which keeps
  the README's test command fast);
- ``GOVCHECK_FUZZ_SECONDS``: a time budget per target; examples drawn after
  it are not run (default: none);
- ``GOVCHECK_FUZZ_SEED``: a seed for a fresh exploration (default: the
  derandomized, reproducible sequence).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import hypothesis
import jsonschema
from conftest import STORAGE, copy_fixture, run_cli
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from govcheck.util.schemas import load_schema

EXAMPLES = int(os.environ.get("GOVCHECK_FUZZ_EXAMPLES", "12"))
SECONDS = float(os.environ.get("GOVCHECK_FUZZ_SECONDS", "0")) or None
SEED = os.environ.get("GOVCHECK_FUZZ_SEED")
# A guard against a hang, not a measure of speed: an example that has not
# answered after this long is reported as hung instead of stalling CI.
HANG_GUARD_S = 120

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # wall-clock per example varies with the machine: not asserted
    derandomize=SEED is None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=True,
)


def seeded(test):
    """The test under FUZZ_SETTINGS, with GOVCHECK_FUZZ_SEED when given."""
    test = FUZZ_SETTINGS(test)
    return hypothesis.seed(int(SEED))(test) if SEED is not None else test


_VALIDATOR = jsonschema.Draft202012Validator(load_schema("report"))


@dataclass
class Budget:
    """Counts examples run and skipped once the time budget is spent."""

    name: str
    started: float | None = None  # the target's first example
    ran: int = 0
    skipped: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    failed: bool = False  # once an example fails, its shrinking must run whatever the clock says

    def spent(self) -> bool:
        if self.failed:
            return False
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if SECONDS is not None and now - self.started > SECONDS:
            self.skipped += 1
            return True
        return False

    def run(self, repo: "FuzzRepo", files: dict[str, bytes], *ids: str, setup_may_fail: bool) -> None:
        """One example: write ``files`` into the repo, validate ``ids`` (else
        --all), check the answer, put the files back. Call it after every
        draw: Hypothesis replays an example's draws and needs the same ones,
        while the budget may have run out in between."""
        if self.spent():
            return
        for rel, data in files.items():
            repo.write(rel, data)
        try:
            self.check(lambda: repo.validate(*ids), setup_may_fail)
        finally:
            repo.reset()

    def check(self, answer: Callable[[], tuple[int, dict | None, str]], setup_may_fail: bool) -> None:
        """Run one example (``answer`` calls govcheck) and check its answer."""
        try:
            outcome = check_answer(*answer(), setup_may_fail=setup_may_fail)
        except BaseException:
            self.failed = True
            raise
        self.ran += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


BUDGETS: list[Budget] = []
STATS_FILE = os.environ.get("GOVCHECK_FUZZ_STATS")  # where a long run writes its counts


def budget(name: str) -> Budget:
    b = Budget(name)
    BUDGETS.append(b)
    return b


def write_stats() -> None:
    if STATS_FILE:
        rows = [{"target": b.name, "ran": b.ran, "skipped_after_budget": b.skipped, "outcomes": b.outcomes}
                for b in BUDGETS]
        Path(STATS_FILE).write_text(json.dumps(rows, indent=2) + "\n")


class Hung(Exception):
    pass


@contextmanager
def hang_guard() -> Iterator[None]:
    def on_alarm(signum, frame):  # noqa: ARG001
        raise Hung(f"no answer after {HANG_GUARD_S} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(HANG_GUARD_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


class FuzzRepo:
    """A private copy of the storage fixture; each example rewrites a few
    files and ``reset`` puts the originals back."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="govcheck-fuzz-"))
        self.root = copy_fixture(STORAGE, self.tmp / "repo")
        self.state = self.tmp / "state"
        self._originals: dict[Path, bytes | None] = {}

    def write(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        if path not in self._originals:
            self._originals[path] = path.read_bytes() if path.is_file() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def reset(self) -> None:
        # Caches from one example must not leak into the next (a damaged
        # entry would make a later, shrunk example fail for no reason).
        shutil.rmtree(self.state, ignore_errors=True)
        for path, data in self._originals.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        self._originals.clear()

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def validate(self, *args: str, cache: bool = False) -> tuple[int, dict | None, str]:
        argv = ["validate", *(args or ("--all",)), "--repo", str(self.root), "--no-run", "--format", "json", "-q",
                "--state-dir", str(self.state)]
        if not cache:
            argv.append("--no-cache")
        with hang_guard():
            res = run_cli(*argv)
        return res.exit_code, (res.json() if res.exit_code in (0, 1) else None), res.stderr


def check_answer(code: int, report: dict | None, stderr: str, setup_may_fail: bool) -> str:
    """The property every target checks; returns the outcome's name."""
    assert "internal error" not in stderr, stderr
    if code == 2:
        assert setup_may_fail, f"exit 2 for a packet-level input: {stderr}"
        assert stderr.count("\n") == 1 and stderr.startswith("govcheck: "), stderr
        return "setup-error"
    assert code in (0, 1), (code, stderr)
    errors = sorted(_VALIDATOR.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, f"report fails its schema at {list(errors[0].absolute_path)}: {errors[0].message[:300]}"
    return "pass" if code == 0 else "fail"


# --------------------------------------------------------------------------
# Strategies shared by the targets
# --------------------------------------------------------------------------

LONG_NAME = "n" * 300
# Fragments that broke or slowed govcheck before, or that sit at the edge
# of what a parser accepts: each gets a high chance of being inserted.
HOSTILE_SNIPPETS = [
    f"src/{LONG_NAME}.py", f"src/{LONG_NAME}/", "src/jobs/queue.py:" + "9" * 5000, "src/jobs/queue.py:0",
    "src/jobs/queue.py:3-1", "src/jobs/queue.py:-1", "/etc/passwd", "../../../../etc/passwd", "src/\x00nul.py",
    "```", "~~~", "```bash", "````", "<!-- govcheck:report v=1 prior_sha256=00 body_sha256=00 tool=0 -->",
    "- " * 500 + "x", "> " * 300 + "x", "#" * 7 + " heading", "# " + "x" * 20000, "**Status:** Done",
    "- RISK_TIER: HIGH", "- SPEC_ANCHOR: Handshake_Master_Spec_v02.93.md 4.2", "- SPEC_TARGET: Handshake_Master_Spec_v99.99.md",
    "- REFINEMENT_FILE: .GOV/refinements/" + LONG_NAME + ".md", "- **Target File**: `src/" + LONG_NAME + ".py`",
    "EVIDENCE: src/jobs/queue.py:17", "MT-001..MT-" + "9" * 5000, "v02." + "9" * 5000, "\ufeff", "\r\n", "\r",
    "\u202e", "\u0130\u0131\u017f", "\x1b[31m", "| a | b |\n|---|---|\n| 1 | 2 |", "[x](javascript:alert(1))",
    "WP-1-Job-Queue-v2", "WP-1-" + "X" * 300, "2026-02-30", "9999-99-99", "\t" * 100,
]

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
snippet = st.one_of(st.sampled_from(HOSTILE_SNIPPETS), _text)


@st.composite
def mutated_lines(draw, original: str) -> str:
    """The original text with line-level mutations: insert, delete,
    duplicate, replace, or splice a hostile snippet into a line."""
    lines = original.split("\n")
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "replace", "splice", "swap"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "insert":
            lines.insert(i, draw(snippet))
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i] if lines else "")
        elif op == "replace":
            lines[i] = draw(snippet)
        elif op == "splice" and lines:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(snippet) + lines[i][at:]
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@st.composite
def encoded(draw, text: str) -> bytes:
    """Text as bytes, sometimes with a BOM, CRLF, or a few raw bytes that
    are not UTF-8 spliced in."""
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    if draw(st.integers(0, 4)) == 0:
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 4)) == 0:
        raw = draw(st.binary(min_size=1, max_size=8))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + raw + data[at:]
    return data


def deep_json(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "{":
        return '{"a":' * depth + "1" + "}" * depth
    return opener * depth + closer * depth


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)
