"""The caches under attack: the pull request under test controls its
packets, its TEST_PLAN commands and whatever those write, the state
folder included. No cache entry it plants or edits may run code or change
a verdict, and no edit it makes to the repo may leave a stale verdict.

The attack tests import nothing of the new cache modules at module level,
so they run (and fail) against the pickle-based caches too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import GOOD_GEN2, STORAGE, copy_fixture, run_cli, write_packet

WP = "WP-1-Job-Queue-v2"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture(autouse=True)
def private_key_home(tmp_path_factory, monkeypatch):
    """Each test gets its own cache key folder (never the real home's)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))


def _validate(repo: Path, state: Path | None, *extra: str) -> tuple[int, str, str]:
    where = ("--state-dir", str(state)) if state is not None else ()
    res = run_cli("validate", "--all", "--repo", str(repo), "--no-run", "--format", "json", *where, *extra, env=EPOCH)
    return res.exit_code, res.stdout, res.stderr


def _fresh(repo: Path, tmp_path: Path) -> str:
    code, out, err = _validate(repo, tmp_path / "fresh-state", "--no-cache")
    assert code in (0, 1), err
    return out


def _entries(state: Path) -> list[Path]:
    return sorted(p for p in (state / "cache").rglob("*") if p.is_file() and not p.name.startswith("."))


class _Plant:
    """A pickle that, when unpickled, creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# -- no code runs from the state folder ---------------------------------------


def test_planted_pickle_in_every_cache_entry_runs_nothing(storage_repo, tmp_path):
    state = tmp_path / "state"
    code, first, err = _validate(storage_repo, state)
    assert code in (0, 1), err
    entries = _entries(state)
    assert entries, "the first run filled the caches"
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Plant(marker))
    for entry in entries:  # what a TEST_PLAN command could do between runs
        entry.write_bytes(evil)
    code, again, err = _validate(storage_repo, state)
    assert not marker.exists(), "a cache entry ran code"
    assert code in (0, 1), err
    assert again == first == _fresh(storage_repo, tmp_path)


def _forge_results(entry: Path) -> None:
    """Rewrite a results-cache entry to claim no findings, as a command
    could: a pickle is re-pickled, a JSON entry edited (its MAC kept)."""
    data = entry.read_bytes()
    if data.startswith(b"govcheck-cache"):
        header, mac, payload = data.split(b"\n", 2)
        doc = json.loads(payload)
        doc[2][0] = []  # _Entry(key, deps, result): result.findings
        entry.write_bytes(header + b"\n" + mac + b"\n" + json.dumps(doc).encode())
    else:
        deps, result = pickle.loads(data)
        entry.write_bytes(pickle.dumps((deps, dataclasses.replace(result, findings=()))))


def test_forged_results_entry_is_ignored(tmp_path):
    from conftest import reopened_storage

    storage_repo = reopened_storage(tmp_path / "repo")  # a failing packet: findings to forge away
    state = tmp_path / "state"
    code, first, err = _validate(storage_repo, state)
    assert code == 1, err
    results = [e for e in _entries(state) if "results" in e.parts]
    assert results
    for entry in results:
        _forge_results(entry)
    code, again, err = _validate(storage_repo, state)
    assert code == 1, err
    assert again == first


def test_entry_copied_under_another_key_is_ignored(storage_repo, tmp_path):
    """Two packets' results swapped: each entry is genuine, but not the
    answer to the key it now sits under."""
    state = tmp_path / "state"
    code, first, err = _validate(storage_repo, state)
    results = [e for e in _entries(state) if "results" in e.parts]
    assert len(results) == 2
    a, b = (e.read_bytes() for e in results)
    results[0].write_bytes(b)
    results[1].write_bytes(a)
    code, again, err = _validate(storage_repo, state)
    assert again == first


# -- no stale verdict from an edit -----------------------------------------------


def _drop_last_lines_keep_size(path: Path, count: int) -> None:
    """Join the last ``count`` lines (newline -> space): same size, fewer lines."""
    data = path.read_bytes()
    body, tail = data[:-1], data[-1:]
    for _ in range(count):
        k = body.rfind(b"\n")
        body = body[:k] + b" " + body[k + 1 :]
    assert len(body + tail) == len(data)
    path.write_bytes(body + tail)


def test_edit_keeping_size_and_mtime_is_seen(storage_repo, tmp_path):
    state = tmp_path / "state"
    _validate(storage_repo, state)
    evidence = storage_repo / "src/jobs/queue.py"  # the packet's EVIDENCE: src/jobs/queue.py:24
    before = os.stat(evidence)
    _drop_last_lines_keep_size(evidence, 5)
    os.utime(evidence, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(evidence)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    code, warm, err = _validate(storage_repo, state)
    fresh = _fresh(storage_repo, tmp_path)
    assert warm == fresh
    assert "src/jobs/queue.py:24" in fresh  # the evidence finding the edit caused


def test_edit_during_the_run_is_seen_next_run(storage_repo, tmp_path, monkeypatch):
    """A file the rules read changes after they read it and before the
    result is stored (a command still running, an editor saving): the
    stored result must not pass for the new content."""
    from govcheck.cache import results as results_mod

    evidence = storage_repo / "src/jobs/queue.py"
    original_put = results_mod.ResultCache.put

    def put_after_an_edit(self, packet_id, *args, **kwargs):
        if packet_id == WP and evidence.read_bytes().count(b"\n") > 10:
            evidence.write_text("# emptied during the run\n")
        return original_put(self, packet_id, *args, **kwargs)

    state = tmp_path / "state"
    with monkeypatch.context() as m:
        m.setattr(results_mod.ResultCache, "put", put_after_an_edit)
        _validate(storage_repo, state)
    code, warm, err = _validate(storage_repo, state)
    assert warm == _fresh(storage_repo, tmp_path)


# -- the state folder is not a way out of the repo -----------------------------------


@pytest.mark.parametrize("link", [".govcheck", ".govcheck/cache", ".govcheck/logs"])
def test_state_folder_link_is_refused(storage_repo, tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    (storage_repo / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, storage_repo / link)
    code, out, err = _validate(storage_repo, None)  # the default state folder
    assert code == 2
    assert "symbolic link" in err and len(err.strip().splitlines()) == 1
    assert list(outside.iterdir()) == []


def test_state_dir_below_a_link_out_of_the_repo_is_refused(storage_repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, storage_repo / "build")
    code, out, err = _validate(storage_repo, storage_repo / "build" / "state")
    assert code == 2 and "link leading out of the repository" in err
    assert list(outside.iterdir()) == []


def test_fifo_in_the_cache_does_not_hang(storage_repo, tmp_path):
    state = tmp_path / "state"
    _, first, _ = _validate(storage_repo, state)
    entries = _entries(state)
    assert entries
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)

    class Hung(BaseException):
        """Not an Exception: a cache's "ignore unreadable entries" must not swallow it."""

    def hung(signum, frame):
        raise Hung("a FIFO in the cache blocked the run")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)  # a hang, not a slow run: the run takes well under a second
    try:
        code, again, err = _validate(storage_repo, state)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert again == first


def test_cache_still_serves_warm_runs(storage_repo, tmp_path, monkeypatch):
    """Hit counts, not times: a second run is answered from the caches."""
    from govcheck.cache import results as results_mod

    hits = {"results": 0}
    results_get = results_mod.ResultCache.get

    def count(kind, real):
        def get(self, *args, **kwargs):
            found = real(self, *args, **kwargs)
            hits[kind] += found is not None
            return found
        return get

    monkeypatch.setattr(results_mod.ResultCache, "get", count("results", results_get))
    state = tmp_path / "state"
    _, cold, _ = _validate(storage_repo, state)
    assert hits == {"results": 0}
    _, warm, _ = _validate(storage_repo, state)
    assert hits["results"] == 2  # both packets, without parsing or checking
    assert warm == cold
    write_packet(storage_repo, WP, GOOD_GEN2 + "\n")  # one packet changes
    _validate(storage_repo, state)
    assert hits["results"] == 3


# -- command results --------------------------------------------------------------------


def _git_repo(tmp_path: Path, test_plan: str) -> Path:
    repo = tmp_path / "repo"
    copy_fixture(STORAGE, repo)
    text = GOOD_GEN2.replace("python3 src/jobs/check_queue.py\n", test_plan, 1)
    assert text != GOOD_GEN2
    write_packet(repo, WP, text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], check=True)
    return repo


def _commands(repo: Path) -> list[dict]:
    res = run_cli("validate", WP, "--repo", str(repo), "--format", "json", env=EPOCH)
    assert res.exit_code in (0, 1), res.stderr
    return res.json()["packets"][0]["commands"]


def _run_entry(repo: Path, n: int, command: str) -> Path:
    """The runs-cache file for command ``n`` (as the runner keys it)."""
    from govcheck.cache.fingerprint import code_fingerprint
    from govcheck.cache.runs import RunCache, repo_state

    sha = hashlib.sha256((repo / ".GOV/task_packets" / f"{WP}.md").read_bytes()).hexdigest()
    folder = repo / ".govcheck" / "cache" / "runs"
    key = RunCache(folder, repo, {WP: sha}, repo_state(repo), code_fingerprint())._key(WP, n, command)
    return folder / f"{key}.json"


def _forge_passed(entry: Path) -> None:
    """Turn a cached failure into a pass with no log to check."""
    from govcheck.model import CommandResult

    names = [f.name for f in dataclasses.fields(CommandResult)]
    data = entry.read_bytes()
    if data.startswith(b"govcheck-cache"):
        header, mac, payload = data.split(b"\n", 2)
        doc = json.loads(payload)
        result = doc[1]
        result[names.index("status")], result[names.index("exit_code")] = "passed", 0
        result[names.index("log_path")] = result[names.index("log_sha256")] = None
        entry.write_bytes(header + b"\n" + mac + b"\n" + json.dumps(doc).encode())
    else:
        doc = json.loads(data)
        doc.update(status="passed", exit_code=0, log_path=None, log_sha256=None)
        entry.write_text(json.dumps(doc))


@needs_git
def test_forged_runs_entry_does_not_turn_a_failure_into_a_pass(tmp_path):
    repo = _git_repo(tmp_path, "python3 -c 'import sys; sys.exit(3)'\n")
    first = _commands(repo)[0]
    assert first["status"] == "failed"
    entry = _run_entry(repo, 1, "python3 -c 'import sys; sys.exit(3)'")
    assert entry.is_file()
    _forge_passed(entry)
    again = _commands(repo)[0]
    assert again["status"] == "failed" and again["exit_code"] == 3


@needs_git
def test_runs_entry_of_another_command_is_ignored(tmp_path):
    """A genuine 'passed' (with its real log) copied over a failing
    command's entry is not that command's result."""
    ok, bad = "python3 -c 'print(1)'", "python3 -c 'import sys; sys.exit(3)'"
    repo = _git_repo(tmp_path, f"{ok}\n{bad}\n")
    assert [c["status"] for c in _commands(repo)] == ["passed", "failed"]
    shutil.copyfile(_run_entry(repo, 1, ok), _run_entry(repo, 2, bad))
    assert [c["status"] for c in _commands(repo)] == ["passed", "failed"]


# -- the codec, the store and the key ---------------------------------------------------


def test_codec_round_trips_and_refuses_anything_else():
    from govcheck.cache import codec
    from govcheck.model import Finding, Severity

    f = Finding("spec-stale", Severity.ERROR, "m", "p.md", 3, {"versions": ("02.1", "02.2"), "n": [1, {"k": None}]})
    back = codec.decode(codec.encode(f), Finding)
    assert back == f and repr(back) == repr(f)  # the tuple stays a tuple
    good = json.loads(codec.encode(f))
    for bad in (
        good[:-1],                                   # a field missing
        good + [None],                               # a field too many
        [good[0], "fatal", *good[2:]],               # not a Severity
        [good[0], good[1], good[2], good[3], True, *good[5:]],  # bool is not an int
        [good[0], good[1], good[2], good[3], "3", *good[5:]],   # nor a str
        [good[0], good[1], good[2], good[3], good[4], {"x": {"py/object": "os.system"}}, *good[6:]],
        {"rule": "spec-stale"},                      # not the array form
    ):
        with pytest.raises(codec.DecodeError):
            codec.decode(json.dumps(bad).encode(), Finding)
    with pytest.raises(codec.DecodeError):
        codec.decode(b'[NaN]', Finding)


def test_deeply_nested_entry_is_a_miss_not_a_crash(tmp_path):
    from govcheck.cache import codec
    from govcheck.cache.parse import ParseCache, packet_key
    from govcheck.cache.store import EntryStore
    from govcheck.model import Finding, Packet

    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(codec.DecodeError):
        codec.decode(deep, Packet)
    nested_any = b'["r","error","m",null,null,' + b'{"m":{"a":' * 5000 + b"1" + b"}}" * 5000 + b",null,null,null]"
    with pytest.raises(codec.DecodeError):
        codec.decode(nested_any, Finding)
    folder = tmp_path / "state" / "cache" / "parse"
    key = packet_key("p.md", b"x", None)
    EntryStore(folder, 3, "parse").put(key, deep)  # authentic, but hostile
    assert ParseCache(folder).get(key) is None


def test_key_file_is_private_and_a_loose_one_is_replaced(tmp_path, monkeypatch):
    from govcheck.cache import authkey

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    authkey._load_key.cache_clear()
    key = authkey.load_key()
    path = authkey.key_dir() / authkey.KEY_FILE_NAME
    assert key is not None and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    os.chmod(path, 0o644)  # others could have read it: it authenticates nothing
    authkey._load_key.cache_clear()
    fresh = authkey.load_key()
    assert fresh is not None and fresh != key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    authkey._load_key.cache_clear()


def test_entry_written_over_a_planted_link_replaces_the_link(tmp_path):
    from govcheck.cache.store import EntryStore

    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    store = EntryStore(tmp_path / "state" / "cache" / "parse", 3, "parse")
    key = "ab" + "0" * 62
    path = store.path(key)
    path.parent.mkdir(parents=True)
    os.symlink(victim, path)
    assert store.get(key) is None  # never read through the link
    store.put(key, b"[]")
    assert victim.read_bytes() == b"precious"
    assert not path.is_symlink() and store.get(key) == b"[]"


def test_code_fingerprint_covers_the_whole_package():
    """A changed rule or parser must not be answered from the caches: the
    fingerprint covers every source file of govcheck, not only cache/'s."""
    import govcheck
    from govcheck.cache import fingerprint

    covered = {p.relative_to(fingerprint.PACKAGE_ROOT).as_posix() for p in fingerprint.source_files()}
    assert fingerprint.PACKAGE_ROOT == Path(govcheck.__file__).resolve().parent
    assert {"rules/spec/spec_stale.py", "parse/packet.py", "model/__init__.py", "cache/parse.py"} <= covered
