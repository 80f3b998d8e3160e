"""Old spec versions read back from git history (repo/spec_history.py).

The store reads history in one pass (one ``git log`` over every spec file
name, one ``git cat-file --batch`` process). Its answers must stay those
of the per-version lookup it replaced, which is kept below as the
reference: for files added, modified, renamed, deleted, on an unmerged
branch, spelled in ways the pathspec does or does not match, and for
versions never committed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govcheck.parse.versions import normalize_version
from govcheck.repo.git import BatchReaderError, Git
from govcheck.repo.repository import Repo
from govcheck.repo.spec_history import MAP_FILE, SpecStore, SpecText, spec_file_version
from tests.conftest import STORAGE, copy_fixture, findings, validate_json

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], env={**os.environ, **_ENV}, check=True,
                         capture_output=True)
    return out.stdout.decode()


class History:
    """A git repo built commit by commit, commit dates a minute apart (the
    log's order is by date: equal dates would make "newest" a tie)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")

    def commit(self, write: dict[str, str] | None = None, delete: tuple[str, ...] = (),
               move: dict[str, str] | None = None) -> str:
        for path, text in (write or {}).items():
            p = self.root / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        for src, dst in (move or {}).items():
            (self.root / dst).parent.mkdir(parents=True, exist_ok=True)
            git(self.root, "mv", src, dst)
        for path in delete:
            git(self.root, "rm", "-q", path)
        git(self.root, "add", "-A")
        self.n += 1
        date = f"2026-01-01T00:{self.n:02d}:00+00:00"
        subprocess.run(["git", "-C", str(self.root), "commit", "-q", "--allow-empty", "-m", f"c{self.n}"],
                       env={**os.environ, **_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}, check=True)
        return git(self.root, "rev-parse", "HEAD").strip()


def spec(version: str, note: str = "") -> str:
    # Long enough that git's rename detection pairs a moved file with itself.
    body = "\n".join(f"Paragraph {i} of the spec, unchanged between revisions." for i in range(40))
    return f"# Spec v{version}\n\n## 1.1 Scope\n\n{note}\n\n{body}\n"


def old_lookup(repo: Repo, version: str) -> SpecText | None:
    """The store's answer before the one-pass history: the working tree,
    then one ``git log`` per version and a ``git show`` per candidate."""
    store = SpecStore(repo)
    found = store._from_tree(version)
    if found is not None or not (repo.root / ".git").exists():
        return found
    g = Git(repo.root, timeout=30)
    v = normalize_version(version)
    out = g.output("log", "--all", "--format=%x00%H", "--name-only", "--diff-filter=AMR", "--",
                   f"*Master*Spec_v{v}.md")
    if not out:
        return None
    for chunk in out.decode("utf-8", "replace").split("\x00")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if len(lines) < 2:
            continue
        sha, paths = lines[0], lines[1:]
        for path in paths:
            data = g.output("show", f"{sha}:{path}")
            if data is not None:
                return SpecText(v, f"git {sha[:12]}:{path}", data)
    return None


CUR = ".GOV/spec/Handshake_Master_Spec_v02.20.md"
VERSIONS = ("02.10", "v02.10", "02.11", "02.12", "02.13", "02.14", "02.15", "02.16", "02.17", "02.18",
            "02.19", "02.20", "02.99", "2.10")


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory) -> Path:
    h = History(tmp_path_factory.mktemp("history") / "repo")
    h.commit({".GOV/spec/Handshake_Master_Spec_v02.10.md": spec("02.10", "first draft"),
              "docs/Handshake_Master_Spec_v02.11.md": spec("02.11"),
              ".GOV/spec/SPEC_CURRENT.md": "**Handshake_Master_Spec_v02.10.md**\n"})
    h.commit({".GOV/spec/Handshake_Master_Spec_v02.10.md": spec("02.10", "revised: newest wins")})
    h.commit(move={"docs/Handshake_Master_Spec_v02.11.md": ".GOV/spec/history/Handshake_Master_Spec_v02.11.md"})
    h.commit({".GOV/spec/Handshake_Master_Spec_v02.12.md": spec("02.12", "lived one commit")})
    h.commit(delete=(".GOV/spec/Handshake_Master_Spec_v02.12.md",))
    # An unmerged branch: `log --all` sees it.
    git(h.root, "checkout", "-q", "-b", "side")
    h.commit({"side/Other_Master_Spec_v02.13.md": spec("02.13", "only on a branch")})
    git(h.root, "checkout", "-q", "main")
    # Names the pathspec matches across '/' and names it does not (case,
    # suffix), two files of one version in one commit, an empty file.
    h.commit({"Master/Spec_v02.14.md": spec("02.14", "wildcard across a slash"),
              "audit/MASTER_SPEC_v02.15.md": spec("02.15", "upper case: not a match"),
              "lower/handshake_master_spec_v02.16.md": spec("02.16", "lower case: not a match"),
              "a/X_Master_Spec_v02.17.md": spec("02.17", "first in path order"),
              "b/Y_Master_Spec_v02.17.md": spec("02.17", "second in path order"),
              "x/Handshake_Master_Spec_v02.18.md.bak": spec("02.18", "a backup, not a match"),
              "e/Handshake_Master_Spec_v02.19.md": ""})
    # A merge of a branch that modified v02.17.
    git(h.root, "checkout", "-q", "-b", "topic")
    h.commit({"a/X_Master_Spec_v02.17.md": spec("02.17", "revised on a merged branch")})
    git(h.root, "checkout", "-q", "main")
    h.commit({"unrelated.txt": "moves main on\n"})
    subprocess.run(["git", "-C", str(h.root), "merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
                   env={**os.environ, **_ENV, "GIT_AUTHOR_DATE": "2026-01-01T00:59:00+00:00",
                        "GIT_COMMITTER_DATE": "2026-01-01T00:59:00+00:00"}, check=True, capture_output=True)
    git(h.root, "branch", "-q", "-D", "topic")
    # The end state: the current spec in the tree, every older one only in history.
    h.commit({CUR: spec("02.20"), ".GOV/spec/SPEC_CURRENT.md": "**Handshake_Master_Spec_v02.20.md**\n"},
             delete=(".GOV/spec/Handshake_Master_Spec_v02.10.md", ".GOV/spec/history/Handshake_Master_Spec_v02.11.md",
                     "Master/Spec_v02.14.md", "a/X_Master_Spec_v02.17.md", "b/Y_Master_Spec_v02.17.md",
                     "e/Handshake_Master_Spec_v02.19.md"))
    return h.root


def test_one_pass_history_answers_as_the_per_version_lookup_did(history_repo: Path):
    # A fresh store per version: a store remembers an answer under the
    # version's number, so "2.10" asked after "02.10" gets 02.10's answer
    # (as before); asked first, it is matched as spelled, like the pathspec.
    for version in VERSIONS:
        with SpecStore(Repo(history_repo)) as store:
            assert store.get(version) == old_lookup(Repo(history_repo), version), version


def test_history_answers_name_the_newest_commit_and_path(history_repo: Path):
    with SpecStore(Repo(history_repo)) as store:
        v10 = store.get("02.10")
        assert v10 is not None and b"revised: newest wins" in v10.data
        assert v10.source.startswith("git ") and v10.source.endswith(":.GOV/spec/Handshake_Master_Spec_v02.10.md")
        assert store.get("02.11").source.endswith(":.GOV/spec/history/Handshake_Master_Spec_v02.11.md")  # renamed
        assert b"lived one commit" in store.get("02.12").data  # only in a deleted file
        assert b"only on a branch" in store.get("02.13").data
        assert b"revised on a merged branch" in store.get("02.17").data
        assert store.get("02.19").data == b""
        assert store.get("02.20").source == CUR  # the working tree first
        assert store.get("02.15") is None and store.get("02.16") is None and store.get("02.18") is None
        assert store.get("02.99") is None  # never committed


@pytest.mark.parametrize("path,version", [
    ("Handshake_Master_Spec_v02.93.md", "02.93"),
    (".GOV/spec/history/Handshake_Master_Spec_v02.100.1.md", "02.100.1"),
    ("Master/Spec_v02.14.md", "02.14"),
    ("Spec_vMaster_Spec_v02.1.md", "02.1"),
    ("MASTER_SPEC_v02.15.md", None),
    ("Handshake_Master_Spec_v02.md", None),
    ("Handshake_Master_Spec_v02.18.md.bak", None),
    ("Handshake_Spec_v02.18.md", None),
    ('"quoted/\\303\\251_Master_Spec_v02.1.md"', None),  # a name git quoted: `git show` could not read it either
])
def test_spec_file_version_mirrors_the_per_version_pathspec(path: str, version: str | None):
    assert spec_file_version(path) == version


def test_the_history_map_is_built_by_one_git_log(history_repo: Path, monkeypatch):
    calls: list[tuple[str, ...]] = []
    real = Git.output

    def counting(self, *args, **kw):
        calls.append(args)
        return real(self, *args, **kw)

    monkeypatch.setattr(Git, "output", counting)
    with SpecStore(Repo(history_repo)) as store:
        for version in VERSIONS:
            store.get(version)
    assert [c[0] for c in calls] == ["log"]  # blobs came through cat-file --batch, not `git show`


def test_the_map_cache_serves_the_next_store_and_follows_new_commits(tmp_path: Path, monkeypatch):
    h = History(tmp_path / "repo")
    h.commit({"Handshake_Master_Spec_v01.1.md": spec("01.1")})
    h.commit({"Handshake_Master_Spec_v01.2.md": spec("01.2")}, delete=("Handshake_Master_Spec_v01.1.md",))
    cache = tmp_path / "state"
    with SpecStore(Repo(h.root), cache) as store:
        assert store.get("01.1") is not None
    assert json.loads((cache / MAP_FILE).read_text())["versions"]["01.1"][0][1] == "Handshake_Master_Spec_v01.1.md"

    def no_log(self):
        raise AssertionError("the map should have come from the cache")

    monkeypatch.setattr(SpecStore, "_log_map", no_log)
    with SpecStore(Repo(h.root), cache) as store:
        assert store.get("01.1") == old_lookup(Repo(h.root), "01.1")
    monkeypatch.undo()
    # A new commit moves the refs: the map is rebuilt and sees it.
    h.commit({"Handshake_Master_Spec_v01.3.md": spec("01.3")}, delete=("Handshake_Master_Spec_v01.2.md",))
    with SpecStore(Repo(h.root), cache) as store:
        assert store.get("01.2") is not None and store.get("01.2").source.startswith("git ")


@pytest.mark.parametrize("forge", ["garbage", "not-a-dict", "wrong-path", "bad-sha", "wrong-format", "empty-list"])
def test_a_corrupt_or_forged_map_cache_is_ignored(tmp_path: Path, forge: str):
    h = History(tmp_path / "repo")
    h.commit({"Handshake_Master_Spec_v01.1.md": spec("01.1", "the real 01.1"),
              "Handshake_Master_Spec_v01.2.md": spec("01.2", "the real 01.2")})
    h.commit({"README.md": "x\n"}, delete=("Handshake_Master_Spec_v01.1.md", "Handshake_Master_Spec_v01.2.md"))
    cache = tmp_path / "state"
    with SpecStore(Repo(h.root), cache) as store:
        store.history()
    doc = json.loads((cache / MAP_FILE).read_text())
    sha = doc["versions"]["01.1"][0][0]
    if forge == "garbage":
        (cache / MAP_FILE).write_bytes(b"\x80\x00{not json")
    else:
        if forge == "not-a-dict":
            doc["versions"] = [["01.1", sha]]
        elif forge == "wrong-path":  # 01.1 pointed at the 01.2 file
            doc["versions"]["01.1"] = [[sha, "Handshake_Master_Spec_v01.2.md"]]
        elif forge == "bad-sha":
            doc["versions"]["01.1"] = [["HEAD~1", "Handshake_Master_Spec_v01.1.md"]]
        elif forge == "wrong-format":
            doc["format"] = 999
        elif forge == "empty-list":
            doc["versions"]["01.1"] = []
        (cache / MAP_FILE).write_text(json.dumps(doc))
    with SpecStore(Repo(h.root), cache) as store:
        got = store.get("01.1")
    assert got == old_lookup(Repo(h.root), "01.1")
    assert got is not None and b"the real 01.1" in got.data
    assert json.loads((cache / MAP_FILE).read_text())["versions"]["01.1"][0] == [sha, "Handshake_Master_Spec_v01.1.md"]


def test_without_git_on_path_history_is_unavailable_but_the_tree_still_answers(history_repo: Path, monkeypatch,
                                                                              tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    with SpecStore(Repo(history_repo), tmp_path / "state") as store:
        assert store.get("02.10") is None
        assert store.get("02.20").source == CUR
    assert not (tmp_path / "state" / MAP_FILE).exists()


def test_without_a_git_folder_git_is_not_asked(tmp_path: Path, monkeypatch):
    root = copy_fixture(STORAGE, tmp_path / "repo")

    def no_git(*a, **kw):
        raise AssertionError("git was asked about a folder that is no repo")

    monkeypatch.setattr(Git, "output", no_git)
    monkeypatch.setattr(Git, "cat_file_batch", no_git)
    with SpecStore(Repo(root)) as store:
        assert store.get("02.50") is None
        assert store.get("02.90").source == ".GOV/operator/Handshake_Master_Spec_v02.90.md"


def test_cat_file_batch_reads_blobs_answers_missing_and_refuses_after_close(history_repo: Path):
    g = Git(history_repo)
    with g.cat_file_batch(timeout=30) as reader:
        assert reader.read(f"HEAD:{CUR}") == spec("02.20").encode()
        assert reader.read("HEAD:no/such/file.md") is None
        assert reader.read("0" * 40 + ":x") is None
        assert reader.read("HEAD") is None  # a commit, not a blob
        assert reader.read("HEAD:a\nHEAD:b") is None  # never sent: it would be two requests
        assert reader.read(f"HEAD:{CUR}") == spec("02.20").encode()  # still in step after all that
    with pytest.raises(BatchReaderError):
        reader.read(f"HEAD:{CUR}")


def _storage_with_history(tmp_path: Path) -> Path:
    """The storage fixture whose v02.90 spec (a packet's anchor) is gone
    from the tree and lives only in history."""
    root = copy_fixture(STORAGE, tmp_path / "repo")
    old = ".GOV/operator/Handshake_Master_Spec_v02.90.md"
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "fixture")
    git(root, "rm", "-q", old)
    git(root, "commit", "-q", "-m", "old spec only in history")
    return root


def _stale(report: dict) -> dict:
    (hit,) = findings(report, "WP-1-Storage-Foundation", "spec-stale")
    return hit["data"]


def test_validate_reads_an_old_spec_from_history_with_and_without_cache(tmp_path: Path):
    in_tree = _stale(validate_json(STORAGE, "WP-1-Storage-Foundation", extra=("--no-cache", "--state-dir", str(tmp_path / "s0")))[1])
    root = _storage_with_history(tmp_path)
    sha = git(root, "rev-parse", "HEAD~1").strip()
    for extra in (("--no-cache",), ("--state-dir", str(tmp_path / "s1")), ("--state-dir", str(tmp_path / "s1"))):
        data = _stale(validate_json(root, "WP-1-Storage-Foundation", extra=extra)[1])
        assert data["old_spec_source"] == f"git {sha[:12]}:.GOV/operator/Handshake_Master_Spec_v02.90.md"
        assert data["changed_sections"] == in_tree["changed_sections"] == ["2.3.12"]
        assert data["section_diffs"] == in_tree["section_diffs"]


def test_validate_without_git_installed_reports_the_old_text_unavailable(tmp_path: Path, monkeypatch):
    root = _storage_with_history(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    data = _stale(validate_json(root, "WP-1-Storage-Foundation", extra=("--no-cache",))[1])
    assert data["changed_sections"] is None and data["old_spec_source"] is None


def test_threads_sharing_a_store_get_the_answers_one_at_a_time_would(history_repo: Path):
    expected = {v: old_lookup(Repo(history_repo), v) for v in VERSIONS if not v.startswith(("v", "2."))}
    with SpecStore(Repo(history_repo)) as store:
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Each version asked by several threads at once: the history
            # map is built once and the cat-file answers never interleave.
            got = list(pool.map(lambda v: (v, store.get(v)), [v for v in expected for _ in range(4)]))
    assert all(text == expected[v] for v, text in got)


_FORKED_STORE: SpecStore | None = None


def _reader_pid_and_text(version: str) -> tuple[int, bytes | None]:
    assert _FORKED_STORE is not None
    text = _FORKED_STORE.get(version)
    reader = _FORKED_STORE._reader
    return (reader._proc.pid if reader is not None and reader._proc is not None else -1,
            text.data if text is not None else None)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_forked_worker_starts_its_own_git_reader(history_repo: Path):
    global _FORKED_STORE
    with SpecStore(Repo(history_repo)) as store:
        _FORKED_STORE = store
        try:
            assert store.get("02.10") is not None  # the parent's reader is running
            parent_pid = store._reader._proc.pid
            with multiprocessing.get_context("fork").Pool(1) as pool:
                child_pid, child_text = pool.apply(_reader_pid_and_text, ("02.12",))
        finally:
            _FORKED_STORE = None
        assert child_pid not in (parent_pid, -1)
        assert child_text == old_lookup(Repo(history_repo), "02.12").data
        assert store.get("02.11") == old_lookup(Repo(history_repo), "02.11")  # the parent's pipe still in step
        assert store._reader._proc.pid == parent_pid
