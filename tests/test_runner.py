"""Tests for govcheck.run.runner: the safe TEST_PLAN command executor."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from govcheck.model import Command
from govcheck.run.runner import (
    RunPolicy,
    build_env,
    fill_placeholders,
    proof_lines,
    run_command,
    run_commands,
)

BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8"}


def run1(tmp_path: Path, command: str, policy: RunPolicy | None = None, parent_env=None, **kw):
    return run_command(
        command,
        7,
        cwd=tmp_path,
        log_file=tmp_path / "logs" / "cmd.log",
        log_rel="logs/cmd.log",
        policy=policy or RunPolicy(timeout=20),
        parent_env=BASE_ENV if parent_env is None else parent_env,
        **kw,
    )


def processes_in(folder: Path) -> list[int]:
    """Host pids of the live processes whose working folder is ``folder``.
    Pids a command writes down are useless here: inside a PID namespace
    they are not the host's."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/cwd") != str(folder):
                continue
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(entry))
    return found


def assert_none_left(folder: Path, within: float = 1.0) -> None:
    """No process the command started is still running in ``folder``."""
    deadline = time.monotonic() + within
    while (left := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes {left} survived the run"


@pytest.fixture(autouse=True)
def fast_kill(monkeypatch):
    """Short kill grace so the timeout tests take a fraction of a second;
    what they check does not depend on its length."""
    import govcheck.run.runner as runner

    monkeypatch.setattr(runner, "KILL_GRACE_S", 0.2)
    monkeypatch.setattr(runner, "REAPER_MARGIN_S", 0.3)
    monkeypatch.setattr(runner, "READER_JOIN_S", 0.5)


# --------------------------------------------------------------------------
# run_command
# --------------------------------------------------------------------------


def test_passed_with_log_and_proof(tmp_path):
    r = run1(tmp_path, "echo hi")
    assert r.status == "passed"
    assert r.exit_code == 0
    assert r.line == 7
    assert r.log_path == "logs/cmd.log"
    data = (tmp_path / "logs" / "cmd.log").read_bytes()
    assert data == b"hi\n"
    assert r.log_size == len(data)
    assert r.log_sha256 == hashlib.sha256(data).hexdigest()
    assert r.proof_lines == ("hi",)
    assert r.truncated_bytes == 0
    assert isinstance(r.duration_s, float) and r.duration_s == round(r.duration_s, 3)


def test_stderr_goes_to_same_log_and_cwd_is_repo(tmp_path):
    r = run1(tmp_path, "echo out; echo err >&2; pwd")
    text = (tmp_path / "logs" / "cmd.log").read_text()
    assert "out\n" in text and "err\n" in text
    assert str(tmp_path.resolve()) in text
    assert r.status == "passed"


def test_stdin_is_closed(tmp_path):
    r = run1(tmp_path, "cat; echo done")
    assert r.status == "passed"
    assert r.proof_lines == ("done",)


def test_failed_exit_code(tmp_path):
    r = run1(tmp_path, "exit 3")
    assert r.status == "failed"
    assert r.exit_code == 3


def test_signal_exit_code_is_128_plus_sig(tmp_path):
    r = run1(tmp_path, "kill -TERM $$")
    assert r.status == "failed"
    assert r.exit_code == 143


def test_pipefail(tmp_path):
    r = run1(tmp_path, "false | true")
    assert r.status == "failed"
    assert r.exit_code == 1


def test_timeout(tmp_path):
    t0 = time.monotonic()
    r = run1(tmp_path, "echo begin; sleep 30", RunPolicy(timeout=0.3))
    elapsed = time.monotonic() - t0
    assert r.status == "timeout"
    assert r.reason == "timed out after 0.3 s"
    assert elapsed < 3
    assert "begin" in (tmp_path / "logs" / "cmd.log").read_text()


def test_timeout_escalates_to_sigkill(tmp_path):
    t0 = time.monotonic()
    r = run1(tmp_path, "trap '' TERM; sleep 30 & wait; sleep 30", RunPolicy(timeout=0.3))
    assert r.status == "timeout"
    assert time.monotonic() - t0 < 3
    assert_none_left(tmp_path)


def test_background_process_left_running_fails_the_command(tmp_path):
    # bash exits at once; the sleep it left behind (output closed or not)
    # is found, ended and reported, and fails the command.
    for command in ("(sleep 300 >/dev/null 2>&1 &) ; echo started", "sleep 300 & echo started"):
        t0 = time.monotonic()
        r = run1(tmp_path, command)
        assert time.monotonic() - t0 < 3
        assert r.status == "failed" and r.exit_code == 0
        # (its name is what it was when found: sleep, or the bash fork about to exec it)
        assert r.reason.startswith("left 1 process(es) running after it exited (")
        assert r.reason.endswith("); govcheck ended them")
        assert r.proof_lines == ("started",)
        assert_none_left(tmp_path)


def test_grandchild_of_timed_out_command_is_killed(tmp_path):
    t0 = time.monotonic()
    r = run1(tmp_path, "sleep 300 & sleep 30", RunPolicy(timeout=0.3))
    assert r.status == "timeout"
    assert time.monotonic() - t0 < 3
    assert_none_left(tmp_path)


def test_big_output_is_capped_and_drained(tmp_path):
    cap = 1024 * 1024
    total = 50_000_000
    r = run1(
        tmp_path,
        f"head -c {total} /dev/zero | tr '\\0' a",
        RunPolicy(timeout=20, log_cap=cap),
    )
    assert r.status == "passed"
    data = (tmp_path / "logs" / "cmd.log").read_bytes()
    marker = f"\n[govcheck: output truncated, {total - cap} bytes dropped]\n".encode()
    assert data[:cap] == b"a" * cap
    assert data[cap:] == marker
    assert r.truncated_bytes == total - cap
    assert r.log_size == len(data)
    assert r.log_sha256 == hashlib.sha256(data).hexdigest()


def test_cancel_event_interrupts(tmp_path):
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    t0 = time.monotonic()
    r = run1(tmp_path, "sleep 30", cancel=cancel)
    assert time.monotonic() - t0 < 3
    assert r.status == "timeout"
    assert r.reason == "interrupted"


def test_keyboard_interrupt_kills_group_and_reraises(tmp_path):
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run1(tmp_path, "sleep 300 & setsid sleep 300 & sleep 30")
    timer.cancel()
    assert time.monotonic() - t0 < 3
    assert_none_left(tmp_path)


@pytest.mark.skipif(shutil.which("setsid") is None, reason="needs setsid")
def test_setsid_process_holding_the_output_does_not_hang(tmp_path):
    # Outside the process group and still holding the output pipe: the
    # reaper finds it all the same once bash has exited.
    t0 = time.monotonic()
    r = run1(tmp_path, "setsid sleep 300 & echo started", RunPolicy(timeout=5))
    assert time.monotonic() - t0 < 3
    assert r.status == "failed"
    assert r.reason.startswith("left 1 process(es) running after it exited")
    assert r.proof_lines == ("started",)
    assert_none_left(tmp_path)


def test_log_creation_error_is_failed(tmp_path):
    (tmp_path / "blocker").write_text("x")
    r = run_command(
        "echo hi",
        1,
        cwd=tmp_path,
        log_file=tmp_path / "blocker" / "x.log",
        log_rel="blocker/x.log",
        policy=RunPolicy(),
        parent_env=BASE_ENV,
    )
    assert r.status == "failed"
    assert "cannot create log" in r.reason


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------

SECRET_PARENT = {
    **BASE_ENV,
    "MY_API_TOKEN": "s3cret-token-value",
    "AWS_SECRET_ACCESS_KEY": "aws-value-x",
    "GITHUB_TOKEN": "gh-value-y",
    "DB_PASSWORD": "pw-value",
    "RANDOM_VAR": "random-value",
    "LC_ALL": "C.UTF-8",
    "CI": "true",
}


def test_env_scrub_in_command(tmp_path):
    r = run1(tmp_path, "env", parent_env=SECRET_PARENT)
    assert r.status == "passed"
    log = (tmp_path / "logs" / "cmd.log").read_text()
    for value in ("s3cret-token-value", "aws-value-x", "gh-value-y", "pw-value", "random-value"):
        assert value not in log
    assert "GOVCHECK=1" in log
    assert "LC_ALL=C.UTF-8" in log
    assert "CI=true" in log


def test_env_pass_env_and_policy_env(tmp_path):
    policy = RunPolicy(timeout=20, pass_env=("MY_API_TOKEN",), env={"EXTRA_VAR": "added"})
    r = run1(tmp_path, 'env; test "$MY_API_TOKEN" = s3cret-token-value && echo token-passed', policy,
             parent_env=SECRET_PARENT)
    log = (tmp_path / "logs" / "cmd.log").read_text()
    assert r.status == "passed"
    # passed to the command, yet masked in what it prints (as CI does)
    assert "token-passed" in log and "MY_API_TOKEN=***" in log
    assert "s3cret-token-value" not in log
    assert "EXTRA_VAR=added" in log
    assert "gh-value-y" not in log and "aws-value-x" not in log


def test_build_env_rules():
    env = build_env({"HOME": "/h", "github_user": "x", "SSH_KEY_PATH": "p"}, RunPolicy())
    assert env == {"HOME": "/h", "GOVCHECK": "1", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    env = build_env({"PATH": "/p", "CI": "1"}, RunPolicy(env={"PATH": "/q"}))
    assert env["PATH"] == "/q" and env["CI"] == "1"
    assert "CI" not in build_env({}, RunPolicy())
    env = build_env({"SSH_KEY_PATH": "p"}, RunPolicy(pass_env=("SSH_KEY_PATH", "ABSENT")))
    assert env["SSH_KEY_PATH"] == "p" and "ABSENT" not in env


# --------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------


def test_fill_placeholders():
    assert fill_placeholders("cargo test -p {{CRATE}} {{ FILTER }}", {"CRATE": "core", "FILTER": "x"}) == (
        "cargo test -p core x",
        [],
    )
    filled, missing = fill_placeholders("run {{A}} {{B}} {{A}}", {})
    assert filled == "run {{A}} {{B}} {{A}}"
    assert missing == ["A", "B"]
    assert fill_placeholders("echo ${HOME} {x}", {}) == ("echo ${HOME} {x}", [])


# --------------------------------------------------------------------------
# run_commands
# --------------------------------------------------------------------------


def cmds(*texts: str) -> list[Command]:
    return [Command(t, 10 + i) for i, t in enumerate(texts)]


def test_run_commands_logs_layout_and_events(tmp_path):
    events = []
    results = run_commands(
        "WP-1",
        cmds("echo one", "echo {{WHO}} > out.txt"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20),
        placeholders={"WHO": "world"},
        parent_env=BASE_ENV,
        on_event=lambda k, i, c: events.append((k, i, c)),
    )
    assert [r.status for r in results] == ["passed", "passed"]
    assert results[0].log_path == ".govcheck/logs/WP-1/01-echo-one.log"
    assert results[1].log_path == ".govcheck/logs/WP-1/02-echo-WHO-out-txt.log"
    # the report shows the command as run, and where it came from
    assert results[1].command == "echo world > out.txt"
    assert results[1].reason == "filled from `echo {{WHO}} > out.txt`"
    assert (tmp_path / "out.txt").read_text() == "world\n"
    assert (tmp_path / ".govcheck" / ".gitignore").read_text() == "*\n"
    for r in results:
        assert (tmp_path / r.log_path).is_file()
    assert events == [
        ("start", 1, "echo one"),
        ("end", 1, "echo one"),
        ("start", 2, "echo world > out.txt"),
        ("end", 2, "echo world > out.txt"),
    ]


def test_run_commands_unfilled_placeholder_refused(tmp_path):
    (r,) = run_commands(
        "WP-2",
        cmds("echo {{MISSING}} > out.txt"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20),
        placeholders={},
        parent_env=BASE_ENV,
    )
    assert r.status == "refused"
    assert r.reason == "unfilled placeholder {{MISSING}}"
    assert r.log_path is None
    assert not (tmp_path / "out.txt").exists()


def test_run_commands_allowlist(tmp_path):
    results = run_commands(
        "WP-3",
        cmds("echo allowed", "touch forbidden"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20, allow=(r"^echo\b", r"^cargo ")),
        placeholders={},
        parent_env=BASE_ENV,
    )
    assert [r.status for r in results] == ["passed", "refused"]
    assert results[1].reason == "not allowed by run.allow: `touch forbidden`"
    assert not (tmp_path / "forbidden").exists()


def test_run_commands_fail_fast(tmp_path):
    results = run_commands(
        "WP-4",
        cmds("echo a", "exit 2", "touch never"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20, fail_fast=True),
        placeholders={},
        parent_env=BASE_ENV,
    )
    assert [r.status for r in results] == ["passed", "failed", "skipped"]
    assert results[2].reason == "fail-fast"
    assert not (tmp_path / "never").exists()


def test_run_commands_without_fail_fast_continues(tmp_path):
    results = run_commands(
        "WP-5",
        cmds("exit 2", "touch ran"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20),
        placeholders={},
        parent_env=BASE_ENV,
    )
    assert [r.status for r in results] == ["failed", "passed"]
    assert (tmp_path / "ran").exists()


def test_run_commands_log_dir_error_is_failed(tmp_path):
    (tmp_path / ".govcheck").write_text("not a folder")
    (r,) = run_commands(
        "WP-6",
        cmds("echo hi"),
        repo_root=tmp_path,
        policy=RunPolicy(timeout=20),
        placeholders={},
        parent_env=BASE_ENV,
    )
    assert r.status == "failed"
    assert r.reason


# --------------------------------------------------------------------------
# Proof lines
# --------------------------------------------------------------------------

CARGO = """\
   Compiling core v0.1.0 (/repo/core)
    Finished test [unoptimized + debuginfo] target(s) in 3.21s
     Running unittests src/lib.rs (target/debug/deps/core-abc)

running 3 tests
test a ... ok
test b ... ok
test c ... ok

test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

"""

PYTEST = """\
============================= test session starts ==============================
collected 4 items

tests/test_x.py ..F.                                                     [100%]

=================================== FAILURES ===================================
___________________________________ test_c ____________________________________
E       assert 1 == 2
=========================== short test summary info ============================
FAILED tests/test_x.py::test_c - assert 1 == 2
========================= 1 failed, 3 passed in 0.12s ==========================
"""

RUSTC = """\
error[E0425]: cannot find value `x` in this scope
error[E0308]: mismatched types
error[E0599]: no method named `foo`
error[E0277]: trait bound not satisfied
error: could not compile `core` due to 4 previous errors
"""


def test_proof_lines_cargo():
    lines = proof_lines(CARGO)
    assert "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s" in lines
    assert "running 3 tests" in lines


def test_proof_lines_pytest():
    lines = proof_lines(PYTEST)
    assert lines[-1] == "========================= 1 failed, 3 passed in 0.12s =========================="
    assert "FAILED tests/test_x.py::test_c - assert 1 == 2" in lines
    assert len(lines) <= 5


def test_proof_lines_compile_errors_capped_at_three():
    lines = proof_lines(RUSTC)
    assert lines == (
        "error[E0425]: cannot find value `x` in this scope",
        "error[E0308]: mismatched types",
        "error[E0599]: no method named `foo`",
    )


def test_proof_lines_jest_and_fallback_and_caps():
    assert proof_lines("PASS src/a.test.js\nTests:       5 passed, 5 total\n") == (
        "Tests:       5 passed, 5 total",
    )
    assert proof_lines("\nalpha\n\nbeta\ngamma\ndelta\n\n") == ("beta", "gamma", "delta")
    long = "x" * 1000 + " 3 passed"
    (line,) = proof_lines(long)
    assert len(line) <= 300
    many = "\n".join(f"{i} passed" for i in range(20))
    assert len(proof_lines(many)) == 5
    assert len(proof_lines(many, limit=2)) == 2
    assert proof_lines("") == ()
