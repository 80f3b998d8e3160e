"""Repo.walk_files and Repo.read_source_lines: how the scan rules
(forbidden-pattern, risk-map-hit) find and read the code a packet covers,
without touching the file system themselves. What they look at is
recorded, so the results cache sees an edited source file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli

from govcheck.repo.repository import Repo

SKIP = frozenset({".git", "node_modules", "target"})


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    files = {
        "src/a.py": "x = 1\n",
        "src/pkg/b.py": "y = 2\n",
        "src/node_modules/dep.js": "skipped\n",
        "src/big.txt": "z" * 100,
        "docs/readme.md": "text\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def test_folders_files_and_globs(tree):
    repo = Repo(tree)
    assert repo.walk_files(["src/"], skip_dirs=SKIP) == ["src/a.py", "src/big.txt", "src/pkg/b.py"]
    assert repo.walk_files(["docs/readme.md", "nowhere/"], skip_dirs=SKIP) == ["docs/readme.md"]
    assert repo.walk_files(["src/**/*.py"], skip_dirs=SKIP) == ["src/a.py", "src/pkg/b.py"]


def test_limits(tree):
    repo = Repo(tree)
    assert "src/big.txt" not in repo.walk_files(["src/"], skip_dirs=SKIP, max_file_bytes=50)
    assert len(repo.walk_files(["src/", "docs/"], skip_dirs=SKIP, max_files=2)) == 2


def test_symlink_out_of_the_repo_is_not_followed(tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.py").write_text("token = 1\n", encoding="utf-8")
    os.symlink(outside, tree / "src" / "link")
    os.symlink(outside / "secret.py", tree / "src" / "secret.py")
    found = Repo(tree).walk_files(["src/"], skip_dirs=SKIP)
    assert not any("secret" in f or f.startswith("src/link") for f in found)


def test_what_is_looked_at_is_recorded(tree):
    repo = Repo(tree)
    repo.start_recording()
    repo.walk_files(["src/pkg/"], skip_dirs=SKIP)
    recorded = repo.stop_recording()
    assert str(tree / "src/pkg") in recorded and str(tree / "src/pkg/b.py") in recorded
    repo.start_recording()
    repo.walk_files(["src/*.py"], skip_dirs=SKIP)
    assert "\0unrecordable" in repo.stop_recording()


def test_reads_are_not_recorded_when_nobody_keeps_them(tree, monkeypatch):
    # A run without a results cache turns recording off: nothing is
    # fingerprinted (hashing every file a rule looks at) and nothing kept.
    repo = Repo(tree)
    repo.record_reads(False)
    hashed = []
    monkeypatch.setattr(repo, "fingerprint", lambda path: hashed.append(path) or "x")
    repo.start_recording()
    assert repo.is_file("src/a.py") and repo.read_bytes("docs/readme.md") == b"text\n"
    assert repo.stop_recording() == {} and hashed == []
    repo.record_reads(True)
    repo.start_recording()
    assert repo.is_file("src/a.py")
    with pytest.raises(RuntimeError):
        repo.record_reads(False)  # never in the middle of a recording
    assert repo.stop_recording() == {"src/a.py": "x"} and hashed == ["src/a.py"]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"a\r\nb\rc\n", ["a", "b", "c", ""]),
        (b"\xef\xbb\xbfbom\n", ["bom", ""]),
        (b"bad \xff byte", ["bad \ufffd byte"]),
        (b"ELF\x00\x01binary", None),
    ],
)
def test_read_source_lines(tmp_path, data, expected):
    (tmp_path / "f").write_bytes(data)
    assert Repo(tmp_path).read_source_lines("f") == expected


def test_results_cache_sees_an_edited_in_scope_file(storage_repo, tmp_path):
    (storage_repo / "govcheck.yaml").write_text("rules:\n  forbidden-pattern:\n    patterns: ['forbidden_call']\n")
    state = tmp_path / "state"

    def hits() -> list[str]:
        res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--no-run", "--format", "json",
                      "--state-dir", state)
        packet = res.json()["packets"][0]
        return [f["path"] for f in packet["findings"] if f["rule"] == "forbidden-pattern"]

    assert hits() == [] and hits() == []  # cold, then served from the cache
    queue = storage_repo / "src/jobs/queue.py"
    queue.write_text(queue.read_text() + "forbidden_call()\n")
    assert hits() == ["src/jobs/queue.py"]
    (storage_repo / "src/jobs/new_module.py").write_text("forbidden_call()\n")
    assert hits() == ["src/jobs/new_module.py", "src/jobs/queue.py"]
