"""The runner against a hostile pull request: its packets, TEST_PLAN
commands and whatever those commands write are the attacker's.

One section per defect found in review; every test here failed on the
runner as it was before the fix it guards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import GOOD_GEN2, run_cli, write_packet

from govcheck.model import Command
from govcheck.run.runner import (
    PlaceholderError,
    RunPolicy,
    fill_placeholders,
    run_commands,
)
from govcheck.run.shell import ShellParseError, simple_commands

BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8"}


def cmds(*texts: str) -> list[Command]:
    return [Command(t, 10 + i) for i, t in enumerate(texts)]


def run_in(tmp_path: Path, *texts: str, placeholders=None, parent_env=None, **policy) -> tuple:
    policy.setdefault("timeout", 10)
    return run_commands(
        "WP-S",
        cmds(*texts),
        repo_root=tmp_path,
        policy=RunPolicy(**policy),
        placeholders=placeholders or {},
        parent_env=BASE_ENV if parent_env is None else parent_env,
    )


# --------------------------------------------------------------------------
# 1. Placeholder injection and allowlist bypass
# --------------------------------------------------------------------------


def test_injected_placeholder_value_is_refused_and_never_runs(tmp_path):
    planted = tmp_path / "pwned"
    value = f"HEAD;touch${{IFS}}{planted};echo"
    (r,) = run_in(tmp_path, "git diff {{MERGE_BASE_SHA}} --stat", placeholders={"MERGE_BASE_SHA": value})
    assert r.status == "refused"
    assert "is not a git ref or sha" in r.reason
    assert not planted.exists()


def test_injection_through_a_packet_field_end_to_end(storage_repo, tmp_path):
    planted = tmp_path / "pwned"
    text = GOOD_GEN2.replace("- MERGE_BASE_SHA: 0000000000000000000000000000000000000000",
                             f"- MERGE_BASE_SHA: HEAD;touch${{IFS}}{planted};echo")
    text = text.replace("python3 src/jobs/check_queue.py\n```", "git diff {{MERGE_BASE_SHA}} --stat\n```")
    write_packet(storage_repo, "WP-1-Job-Queue-v2", text)
    (storage_repo / "govcheck.yaml").write_text("run:\n  allow: ['^git diff ']\n")
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    (c,) = res.json()["packets"][0]["commands"]
    assert c["status"] == "refused"
    assert not planted.exists()


@pytest.mark.parametrize(
    "name, value",
    [
        ("MERGE_BASE_SHA", "--output=/etc/passwd"),  # an option, even when quoted
        ("MERGE_BASE_SHA", "a b"),
        ("BASE_REF", "main..evil"),
        ("SPEC_PATH", "docs/$(id).md"),
        ("WP_ID", "WP-1`id`"),
        ("CRATE", "core'x"),
        ("CRATE", 'core"x'),
        ("CRATE", "line\nbreak"),
    ],
)
def test_placeholder_values_are_checked_by_kind(name, value):
    with pytest.raises(PlaceholderError):
        fill_placeholders(f"run {{{{{name}}}}}", {name: value})


def test_placeholder_values_are_quoted_for_their_context():
    filled, _ = fill_placeholders("git log {{BASE_SHA}} '{{BASE_SHA}}' \"{{BASE_SHA}}\"", {"BASE_SHA": "HEAD~1"})
    assert filled == "git log 'HEAD~1' 'HEAD~1' \"HEAD~1\""
    assert fill_placeholders("cat {{SPEC_PATH}}", {"SPEC_PATH": "docs/a.md"}) == ("cat docs/a.md", [])


def test_report_shows_the_command_as_run_and_its_template(tmp_path):
    (r,) = run_in(tmp_path, "echo {{WP_ID}}", placeholders={"WP_ID": "WP-7"})
    assert r.status == "passed"
    assert r.command == "echo WP-7"
    assert r.reason == "filled from `echo {{WP_ID}}`"


@pytest.mark.parametrize(
    "command",
    [
        "cargo --version; touch planted",
        "cargo x || touch planted",
        "cargo x && touch planted",
        "cargo x | touch planted",
        "cargo x & touch planted",
        "cargo x\ntouch planted",
        "cargo $(touch planted)",
        "cargo `touch planted`",
        'cargo "$(touch planted)"',
        "cargo <(touch planted)",
        "(touch planted)",
        "{ touch planted; }",
        "cargo x > >(touch planted)",
    ],
)
def test_allowlist_judges_every_simple_command(tmp_path, command):
    (r,) = run_in(tmp_path, command, allow=(r"^cargo ",))
    assert r.status == "refused"
    assert "touch planted" in r.reason
    assert not (tmp_path / "planted").exists()


@pytest.mark.parametrize(
    "command",
    [
        "if true; then touch planted; fi",
        "for x in 1; do touch planted; done",
        "cargo $((1))",
        "$CMD planted",
        "carg* planted",
        "f() { touch planted; }; f",
        "cargo ${X:-$(touch planted)}",
        "cargo 'unterminated",
        "cat <<EOF\n$(touch planted)\nEOF",
    ],
)
def test_allowlist_refuses_what_it_cannot_read(tmp_path, command):
    (r,) = run_in(tmp_path, command, allow=(r"^cargo ", r"^cat ", r"^if ", r"^for ", r"^\$", r"^f"))
    assert r.status == "refused"
    assert r.reason.startswith("run.allow cannot judge this command")
    assert not (tmp_path / "planted").exists()


def test_allowlist_passes_a_command_line_of_allowed_parts(tmp_path):
    (r,) = run_in(tmp_path, "echo a && echo b | cat > out.txt  # a comment", allow=(r"^echo ", r"^cat\b"))
    assert r.status == "passed", r.reason
    assert (tmp_path / "out.txt").read_text() == "b\n"


def test_shell_reader_splits_and_keeps_text():
    parts = simple_commands("A=1 cargo test -p x 2>&1 | tee 'log file' && echo \"$(date)\" # done")
    assert [(p.name, p.text) for p in parts] == [
        ("cargo", "A=1 cargo test -p x 2>&1"),
        ("tee", "tee 'log file'"),
        ("date", "date"),
        ("echo", 'echo "$(date)"'),
    ]
    quoted_heredoc = simple_commands("python3 - <<'EOF'\nimport os; os.system('x')\nEOF\necho done")
    assert [p.name for p in quoted_heredoc] == ["python3", "echo"]
    with pytest.raises(ShellParseError):
        simple_commands("echo $(touch x")


# --------------------------------------------------------------------------
# 4. Non-finite timeouts
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "NaN", "+inf"])
def test_cli_rejects_non_finite_timeout(storage_repo, value):
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--timeout", value)
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "not a finite number of seconds" in res.stderr


@pytest.mark.parametrize(
    "yaml_text, line, where",
    [
        ("run:\n  timeout: .nan\n", 2, "run.timeout"),
        ("run:\n  cache: true\n  timeout: .inf\n", 3, "run.timeout"),
        ("policy:\n  risk:\n    HIGH:\n      timeout: .inf\n", 4, "policy.risk.HIGH.timeout"),
    ],
)
def test_config_rejects_non_finite_timeout(storage_repo, yaml_text, line, where):
    (storage_repo / "govcheck.yaml").write_text(yaml_text)
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo)
    assert res.exit_code == 2
    assert res.stderr.startswith(f"govcheck: govcheck.yaml:{line}: {where}: timeout must be a finite number")
    assert res.stderr.count("\n") == 1


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 0, -1])
def test_run_policy_refuses_a_timeout_that_never_fires(timeout):
    with pytest.raises(ValueError, match="finite number of seconds"):
        RunPolicy(timeout=timeout)


# --------------------------------------------------------------------------
# 5. Writes outside the state folder through planted symlinks
# --------------------------------------------------------------------------


def test_symlink_planted_at_next_log_is_not_followed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    plant = f"ln -s {victim} .govcheck/logs/WP-S/02-echo-second.log"
    results = run_in(repo, plant, "echo second")
    assert [r.status for r in results] == ["passed", "passed"]
    assert victim.read_text() == "precious\n"
    log = repo / results[1].log_path
    assert not log.is_symlink() and log.read_text() == "second\n"


def test_log_folder_swapped_for_a_symlink_is_not_followed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    swap = f"mv .govcheck/logs/WP-S moved && ln -s {elsewhere} .govcheck/logs/WP-S"
    results = run_in(repo, swap, "echo second")
    assert [r.status for r in results] == ["passed", "passed"]
    assert list(elsewhere.iterdir()) == []
    assert (repo / "moved" / "02-echo-second.log").read_text() == "second\n"


def test_planted_gitignore_symlink_is_not_written_through(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".govcheck").mkdir(parents=True)
    outside = tmp_path / "created-outside"
    (repo / ".govcheck" / ".gitignore").symlink_to(outside)
    (r,) = run_in(repo, "echo hi")
    assert r.status == "passed"
    assert not outside.exists()


def test_run_cache_does_not_write_through_a_planted_symlink(tmp_path):
    from govcheck.cache.runs import RunCache
    from govcheck.model import CommandResult

    folder = tmp_path / "runs"
    folder.mkdir()
    cache = RunCache(folder, tmp_path, {"WP-S": "sha"}, "state", "v1")
    key = cache._key("WP-S", 1, "echo hi")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (folder / f"{key}.json").symlink_to(victim)
    cache.put("WP-S", 1, "echo hi", CommandResult("echo hi", 1, "passed", exit_code=0))
    assert victim.read_text() == "precious\n"
    assert not (folder / f"{key}.json").is_symlink()


# --------------------------------------------------------------------------
# 2. Secrets of the caller in logs and reports
# --------------------------------------------------------------------------

CALLER_SECRETS = {
    "MY_API_TOKEN": "tok-4f1e9c77",
    "AWS_SECRET_ACCESS_KEY": "aws-9d8e7f66",
    "GITHUB_TOKEN": "ghp-77aa11bb",
    "DB_PASSWORD": "pw-31337xyz",
}


def test_secret_a_command_finds_is_masked_in_log_and_proof_lines(tmp_path):
    from govcheck.run.runner import run_command

    # The command cannot see the secret in its environment (scrubbed), but
    # may find it elsewhere: here a file stands for any such place.
    (tmp_path / "found.txt").write_text("leak: tok-4f1e9c77 and pw-31337xyz\n1 passed tok-4f1e9c77\n")
    r = run_command("cat found.txt", 1, cwd=tmp_path, log_file=tmp_path / "logs" / "c.log", log_rel="logs/c.log",
                    policy=RunPolicy(timeout=10), parent_env={**BASE_ENV, **CALLER_SECRETS})
    log = (tmp_path / "logs" / "c.log").read_text()
    assert log == "leak: *** and ***\n1 passed ***\n"
    assert r.proof_lines == ("1 passed ***",)


def test_masker_finds_a_secret_split_across_chunks():
    from govcheck.run.masking import OutputMasker, secret_values

    secrets = secret_values({"API_TOKEN": "abcdefgh", "SHORT_KEY": "abc", "GITHUB_ACTIONS": "true",
                             "SKIP_KEY_CHECK": "true"})
    assert secrets == (b"abcdefgh",)  # too short, flag words and non-secret names are not masked
    masker = OutputMasker(secrets)
    stream = b"x abcdefgh y abcd" + b"efgh z abcdefg"
    out = b""
    for i in range(0, len(stream), 3):  # every split position of the secret occurs
        out += masker.feed(stream[i:i + 3])
    out += masker.flush()
    assert out == b"x *** y *** z abcdefg"


def test_locale_names_cannot_smuggle_values():
    from govcheck.run.runner import build_env

    env = build_env({"LC_ALL": "C.UTF-8", "LC_TIME": "en_GB.UTF-8", "LANG": "sr_RS@latin",
                     "LC_SMUGGLED": "tok-4f1e9c77", "LC_CTYPE": "tok-4f1e9c77;rm"}, RunPolicy())
    assert env["LC_ALL"] == "C.UTF-8" and env["LC_TIME"] == "en_GB.UTF-8" and env["LANG"] == "sr_RS@latin"
    assert "LC_SMUGGLED" not in env and "LC_CTYPE" not in env


def test_parent_environ_read_by_a_command_never_reaches_reports(storage_repo, tmp_path):
    import subprocess
    import sys

    # A real govcheck process: /proc/<pid>/environ shows the environment a
    # process started with, which an in-process CLI runner cannot fake.
    text = GOOD_GEN2.replace(
        "python3 src/jobs/check_queue.py\n```",
        "tr '\\0' '\\n' < /proc/$PPID/environ; tr '\\0' '\\n' < /proc/$PPID/task/$PPID/environ\n```",
    )
    write_packet(storage_repo, "WP-1-Job-Queue-v2", text)
    md, js = tmp_path / "report.md", tmp_path / "report.json"
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **CALLER_SECRETS}
    subprocess.run(
        [sys.executable, "-c", "from govcheck.cli import main; main()", "validate", "WP-1-Job-Queue-v2",
         "--repo", str(storage_repo), "--format", f"markdown:{md}", "--format", f"json:{js}"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False,
    )
    logs = b"".join(p.read_bytes() for p in (storage_repo / ".govcheck" / "logs").rglob("*.log"))
    assert logs, "the command ran and logged"
    for secret in CALLER_SECRETS.values():
        for where, data in (("log", logs), ("markdown", md.read_bytes()), ("json", js.read_bytes())):
            assert secret.encode() not in data, (where, secret)


# --------------------------------------------------------------------------
# 3. Processes a command leaves behind, and isolation from govcheck
# --------------------------------------------------------------------------

ISOLATIONS = ["none", "auto"]  # the reaper alone, and with the namespace this machine allows


@pytest.fixture(autouse=True)
def fast_kill(monkeypatch):
    import govcheck.run.runner as runner

    monkeypatch.setattr(runner, "KILL_GRACE_S", 0.2)
    monkeypatch.setattr(runner, "REAPER_MARGIN_S", 0.3)
    monkeypatch.setattr(runner, "READER_JOIN_S", 0.5)


def run_one(tmp_path: Path, command: str, **policy):
    from govcheck.run.runner import run_command

    policy.setdefault("timeout", 10)
    return run_command(command, 1, cwd=tmp_path, log_file=tmp_path / "logs" / "c.log", log_rel="logs/c.log",
                       policy=RunPolicy(**policy), parent_env=BASE_ENV)


def assert_never_appears(path: Path, seconds: float) -> None:
    """A survivor would create ``path`` later: wait past that moment."""
    time.sleep(seconds)
    assert not path.exists(), "a process the command started outlived it"


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize(
    "daemon",
    [
        "setsid sh -c 'sleep 0.3; touch survived' >/dev/null 2>&1 &",  # own session, output closed
        "(setsid sh -c '(sleep 0.3; touch survived) &' >/dev/null 2>&1 &)",  # double fork around setsid
        "setsid sh -c 'while :; do sleep 0.1; touch survived; done' >/dev/null 2>&1 &",  # a loop
    ],
)
def test_daemon_is_found_ended_and_fails_the_command(tmp_path, daemon, isolation):
    r = run_one(tmp_path, f"{daemon}\necho started", isolation=isolation)
    assert r.status == "failed" and r.exit_code == 0
    # how many depends on the moment (a shell and the child it forked)
    assert r.reason.startswith("left ") and "process(es) running after it exited" in r.reason
    assert_never_appears(tmp_path / "survived", 0.5)


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_daemon_of_a_timed_out_command_is_ended(tmp_path, isolation):
    r = run_one(tmp_path, "setsid sh -c 'sleep 0.8; touch survived' >/dev/null 2>&1 & sleep 30",
                timeout=0.3, isolation=isolation)
    assert r.status == "timeout"
    assert_never_appears(tmp_path / "survived", 0.8)


def _isolation_used(mode: str) -> str:
    from govcheck.run.isolation import probe_isolation

    return probe_isolation(mode)[0]


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_command_cannot_kill_the_reaper_unnoticed(tmp_path, isolation):
    # The command kills the process that would report its leftovers.
    r = run_one(tmp_path, "kill -9 $PPID; sleep 0.2; echo ppid=$PPID state=$(cut -d' ' -f3 /proc/$PPID/stat)",
                isolation=isolation)
    if _isolation_used(isolation) == "unshare":
        # The reaper is PID 1 of the namespace (unshare forks it, setpriv
        # execs it): the kernel drops SIGKILL sent to a namespace's init from
        # inside it. The reaper is out of reach and reports as usual.
        assert r.status == "passed", r.reason
        assert r.proof_lines[-1].startswith("ppid=1 state=") and r.proof_lines[-1][-1] != "Z"
    else:
        # none: the reaper is bash's parent; bwrap: it is PID 2 under
        # bwrap's own init. Either way the kill works and must not pass.
        assert r.status == "failed"
        assert "no report from the process reaper" in r.reason


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("sig", ["TERM", "INT", "HUP"])
def test_a_signalled_reaper_fails_the_command(tmp_path, isolation, sig):
    # The signals the reaper handles reach it in every mode (a namespace's
    # init gets those it has a handler for). It then ends the command, which
    # traps the SIGTERM and exits 0, and lists nothing left behind: the
    # daemon started here must not let the command pass.
    r = run_one(tmp_path, "trap 'exit 0' TERM; setsid sh -c 'sleep 0.5; touch survived' >/dev/null 2>&1 &"
                f" kill -{sig} $PPID; sleep 3 & wait", isolation=isolation)
    assert r.status == "failed"
    assert "the process reaper was signalled by another process" in r.reason
    assert_never_appears(tmp_path / "survived", 0.8)


def test_govcheck_is_non_dumpable_once_it_runs_commands(tmp_path):
    import ctypes

    run_one(tmp_path, "true")
    pr_get_dumpable = 3
    assert ctypes.CDLL(None).prctl(pr_get_dumpable, 0, 0, 0, 0) == 0


def _works_here(mode: str) -> bool:
    return _isolation_used(mode) == mode


@pytest.mark.parametrize("isolation", ["bwrap", "unshare"])
def test_command_sees_only_its_own_processes(tmp_path, isolation):
    if not _works_here(isolation):
        pytest.skip(f"{isolation} cannot make a PID namespace on this machine")
    # Not govcheck, not the CI runner: their /proc/<pid>/environ is out of
    # reach. Unmounting the fresh /proc (root could) must not reveal the host's.
    r = run_one(tmp_path, "umount -l /proc 2>/dev/null; ls /proc | grep -c '^[0-9]*$'", isolation=isolation)
    assert r.status == "passed"
    assert int(r.proof_lines[-1]) < 10
    assert str(os.getpid()) not in (tmp_path / "logs" / "c.log").read_text().split()


def test_isolation_degrades_when_bwrap_is_missing_or_broken(tmp_path, monkeypatch):
    from govcheck.run import isolation

    monkeypatch.setattr(isolation, "_probed", {})
    monkeypatch.setattr(isolation, "_bwrap_prefix", lambda: ["false", "--"])  # cannot create namespaces
    monkeypatch.setattr(isolation, "_PREFIXES", {**isolation._PREFIXES, "bwrap": isolation._bwrap_prefix})
    assert isolation.probe_isolation("bwrap") == ("none", [])
    assert isolation.probe_isolation("auto")[0] in ("unshare", "none")
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)  # nothing installed
    monkeypatch.setattr(isolation, "_probed", {})
    assert isolation.probe_isolation("auto") == ("none", [])
    r = run_one(tmp_path, "echo still-runs", isolation="auto")
    assert r.status == "passed" and r.proof_lines == ("still-runs",)


def test_run_cache_ignores_entries_written_after_the_run_began(tmp_path):
    import hashlib

    from govcheck.cache.runs import RunCache
    from govcheck.model import CommandResult

    folder = tmp_path / "runs"
    folder.mkdir()
    log = tmp_path / "cargo-test.log"
    log.write_bytes(b"test result: ok\n")
    # A passed result is only ever reused with its log intact (cache-trust).
    fake = CommandResult("cargo test", 1, "passed", exit_code=0, proof_lines=("ok",), log_path=str(log),
                         log_sha256=hashlib.sha256(log.read_bytes()).hexdigest(), log_size=log.stat().st_size)
    during = RunCache(folder, tmp_path, {"WP-S": "sha"}, "state", "v1")
    # A command of this run writes an entry for a later command (every part
    # of the key is computable from inside the sandbox): never a hit.
    during.put("WP-S", 2, "cargo test", fake)
    assert during.get("WP-S", 2, "cargo test") is None
    # A later run may reuse what an earlier run left, unchanged ...
    later = RunCache(folder, tmp_path, {"WP-S": "sha"}, "state", "v1")
    assert later.get("WP-S", 2, "cargo test") == fake
    # ... but not once it was rewritten after that run began.
    later.put("WP-S", 2, "cargo test", fake)
    assert later.get("WP-S", 2, "cargo test") is None


def test_pickles_a_command_plants_in_govcheck_caches_are_removed(storage_repo, tmp_path):
    # Entries a command plants in govcheck's caches (results are read right
    # after the run, parse entries on the next) are removed after the
    # commands; the caches' own signatures refuse them too (test_cache_trust).
    outside = tmp_path / "outside"
    (outside / "results").mkdir(parents=True)
    (outside / "results" / "keep.txt").write_text("not govcheck's\n")
    plant = ("mkdir -p .govcheck/cache/results/ab .govcheck/cache/parse/cd"
             " && echo evil > .govcheck/cache/results/ab/planted.json"
             " && for f in .govcheck/cache/parse/*/*.json; do echo evil > $f; done"
             " && echo evil > .govcheck/cache/parse/cd/planted.json")
    text = GOOD_GEN2.replace("python3 src/jobs/check_queue.py\n```", plant + "\n```")
    write_packet(storage_repo, "WP-1-Job-Queue-v2", text)
    run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--no-run")  # fills the parse cache
    res = run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    assert res.json()["packets"][0]["commands"][0]["status"] == "passed"
    cache = storage_repo / ".govcheck" / "cache"
    assert not any(p.read_bytes() == b"evil\n" for p in cache.rglob("*") if p.is_file())
    # a cache folder swapped for a symlink is removed, never followed
    swap = f"rm -rf .govcheck/cache && ln -s {outside} .govcheck/cache"
    write_packet(storage_repo, "WP-1-Job-Queue-v2", GOOD_GEN2.replace(
        "python3 src/jobs/check_queue.py\n```", swap + "\n```"))
    run_cli("validate", "WP-1-Job-Queue-v2", "--repo", storage_repo, "--format", "json")
    assert not cache.is_symlink()
    assert (outside / "results" / "keep.txt").read_text() == "not govcheck's\n"
