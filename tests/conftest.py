"""Shared test helpers: fixture repos, the real corpus (optional), and an
in-process CLI runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
STORAGE = FIXTURES / "storage-foundation"
# The real governance snapshot lives beside the project on the development
# machine; tests that need it skip cleanly where it does not exist.
CORPUS = ROOT.parent / "shared" / "corpus" / "handshake-3c9b4c14"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self):
        return json.loads(self.stdout)


_CORPUS_STATE = None


def run_cli(*args: str, env: dict | None = None) -> Result:
    from govcheck.cli import main

    global _CORPUS_STATE
    args = tuple(str(a) for a in args)
    # The shared corpus is read by many sessions, and the fixtures are part
    # of the checkout: never leave govcheck's state folder (caches, logs) in
    # either (a later run would read what an earlier test left).
    shared = (str(CORPUS) + "/", str(FIXTURES) + "/")
    touches_tree = any(a == str(CORPUS) or a.startswith(shared) for a in args)
    if "--repo" not in args:  # the repo is found from the working folder
        touches_tree = (str(Path.cwd()) + "/").startswith(shared)
    if touches_tree and "--state-dir" not in args and args and args[0] in ("validate", "ci"):
        if _CORPUS_STATE is None:
            import atexit
            import tempfile

            _CORPUS_STATE = tempfile.mkdtemp(prefix="govcheck-corpus-state-")
            # one folder per test process, gone when the process ends
            atexit.register(shutil.rmtree, _CORPUS_STATE, True)
        args = args + ("--state-dir", _CORPUS_STATE)
    runner = CliRunner()
    res = runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return Result(res.exit_code, res.stdout, res.stderr)


def copy_fixture(src: Path, dest: Path) -> Path:
    """A fixture repo copied without what earlier runs left in it (command
    logs and caches under .govcheck/, bytecode), so tests start clean."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".govcheck", "__pycache__"))
    return dest


def reopened_storage(dest: Path) -> Path:
    """The storage-foundation fixture copied to ``dest`` with
    WP-1-Storage-Foundation reopened (In Progress). The Done original on
    its old spec is OUTDATED (closed work whose only error is drift); the
    reopened packet, still anchored to v02.90, FAILs on spec-stale: what a
    test needs when it needs a failing packet. The task board moves it to
    In Progress too, so that spec-stale is its only error."""
    copy_fixture(STORAGE, dest)
    packet = dest / PACKET_DIR / "WP-1-Storage-Foundation.md"
    text = packet.read_text(encoding="utf-8")
    assert "Done [VALIDATED]" in text
    packet.write_text(text.replace("Done [VALIDATED]", "In Progress"), encoding="utf-8")
    board = dest / ".GOV/roles_shared/TASK_BOARD.md"
    entry = "- **[WP-1-Storage-Foundation]** - [VALIDATED]\n"
    text = board.read_text(encoding="utf-8")
    assert entry in text
    board.write_text(text.replace(entry, "").replace("## In Progress\n", "## In Progress\n- **[WP-1-Storage-Foundation]** - [IN_PROGRESS]\n"),
                     encoding="utf-8")
    return dest


@pytest.fixture
def storage_repo(tmp_path: Path) -> Path:
    """A private copy of the storage-foundation fixture, free to edit."""
    dest = tmp_path / "repo"
    copy_fixture(STORAGE, dest)
    return dest


PACKET_DIR = ".GOV/task_packets"


def write_packet(repo: Path, wp_id: str, text: str | bytes) -> Path:
    path = repo / PACKET_DIR / f"{wp_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


GOOD_GEN2 = (STORAGE / PACKET_DIR / "WP-1-Job-Queue-v2.md").read_text(encoding="utf-8")


def findings(report: dict, wp_id: str | None = None, rule: str | None = None) -> list[dict]:
    out = []
    for p in report["packets"]:
        if wp_id and p["id"] != wp_id:
            continue
        out.extend(f for f in p["findings"] if rule is None or f["rule"] == rule)
    return out


def validate_json(repo: Path, *ids: str, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    args = ["validate", *ids, "--repo", str(repo), "--no-run", "--format", "json", *extra]
    res = run_cli(*args)
    assert res.exit_code in (0, 1), res.stderr
    return res.exit_code, res.json()
