"""Run TEST_PLAN commands safely and record what they printed.

The pull request under test wrote the commands, the packet fields their
placeholders are filled from, and everything the commands write: all of it
is hostile (docs/security.md).

Each command runs as ``bash -o pipefail -c <command>`` with the repo root as
working directory, stdin closed, stdout and stderr merged into one pipe, in a
new session, with a scrubbed environment, under a *reaper* process
(``reaper.py``) and, where the machine allows, in a PID namespace with a
fresh ``/proc`` and no capabilities (``isolation.py``).

* Placeholder values are checked for what their names say and shell-quoted;
  with ``run.allow`` set, every simple command of the line must match it
  (``shell.py``), and what cannot be read with certainty is refused.
* A reader thread copies output to the log file, secrets of the caller
  masked (``masking.py``), keeping the first ``log_cap`` bytes; the rest is
  drained (so the child never blocks on a full pipe) and counted as
  ``truncated_bytes``; a marker line says so.
* When bash exits, the reaper ends every process the command left behind
  (setsid and double-forked daemons included) and reports them: such a
  command fails.
* When the command runs past ``timeout`` its process group gets SIGTERM,
  which the reaper passes on to every descendant, then SIGKILL
  ``KILL_GRACE_S`` later.
* Ctrl-C or a set ``cancel`` event ends the command the same way; the result
  is ``timeout`` with reason ``interrupted`` (Ctrl-C is re-raised afterwards).
* Logs are created fresh through a descriptor of their folder, never by a
  path a command could have swapped for a symlink.

Nothing here raises for a failing command: every outcome is a
:class:`~govcheck.model.CommandResult`.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import math
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence

from govcheck.model import Command, CommandResult
from govcheck.run.isolation import ISOLATION_MODES, isolation_prefix, make_non_dumpable
from govcheck.run.masking import OutputMasker, secret_values
from govcheck.run.shell import ShellParseError, quote_context, simple_commands

__all__ = [
    "PlaceholderError",
    "RunPolicy",
    "build_env",
    "check_placeholder_value",
    "disallowed_part",
    "fill_placeholders",
    "placeholder_kind",
    "proof_lines",
    "run_command",
    "run_commands",
]

TAIL_BYTES = 64 * 1024
KILL_GRACE_S = 2.0
REAPER_MARGIN_S = 1.0  # beyond KILL_GRACE_S, for the reaper to finish ending a command
REAPER = Path(__file__).with_name("reaper.py")
_MAX_REPORT = 64 * 1024
READER_JOIN_S = 5.0
_POLL_S = 0.05
_READ_CHUNK = 1024 * 1024
# A 1 MiB pipe (Linux F_SETPIPE_SZ; the default is 64 KiB) lets the reader
# take output in big chunks: masking and hashing cost per chunk.
_PIPE_SIZE = 1024 * 1024
_F_SETPIPE_SZ = 1031


@dataclass(frozen=True)
class RunPolicy:
    timeout: float = 600.0  # seconds per command
    log_cap: int = 10 * 1024 * 1024  # bytes kept per log
    allow: tuple[str, ...] | None = None  # regexes; when set a command matching none is refused
    env: Mapping[str, str] = field(default_factory=dict)  # extra vars to set
    pass_env: tuple[str, ...] = ()  # caller env var names explicitly allowed through
    fail_fast: bool = False
    isolation: str = "auto"  # auto | bwrap | unshare | none (see run.isolation)

    def __post_init__(self) -> None:
        # A backstop behind the CLI and config checks: a NaN deadline is
        # never reached (every comparison is false) and inf never comes.
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"timeout must be a finite number of seconds above 0, got {self.timeout!r}")
        if self.isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, got {self.isolation!r}")


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------

_BASE_ENV = ("PATH", "HOME", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL", "TZ")
_SECRET_RE = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|^AWS_|^GITHUB_", re.IGNORECASE
)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def _looks_secret(name: str) -> bool:
    return bool(_SECRET_RE.search(name))


# The locale categories of POSIX and glibc. Any other LC_* name is not a
# locale setting at all: "LC_" is merely a prefix ssh forwards by default,
# which makes it a way to carry arbitrary values into CI.
_LOCALE_NAMES = frozenset(
    "LANG LC_ALL LC_CTYPE LC_COLLATE LC_MESSAGES LC_MONETARY LC_NUMERIC LC_TIME LC_ADDRESS "
    "LC_IDENTIFICATION LC_MEASUREMENT LC_NAME LC_PAPER LC_TELEPHONE".split()
)
# What a locale name looks like (C, POSIX, en_US.UTF-8, sr_RS@latin ...):
# a token or password in an LC_ variable does not pass for one.
_LOCALE_VALUE_RE = re.compile(r"(?:C|POSIX|[a-z]{2,3}(?:_[A-Z]{2})?)(?:\.[A-Za-z0-9-]{1,20})?(?:@[a-z]{1,20})?")


def build_env(parent: Mapping[str, str], policy: RunPolicy) -> dict[str, str]:
    """The environment a command runs with.

    Only a few harmless variables are copied from ``parent`` (PATH, HOME,
    TERM, TMPDIR, USER, LOGNAME, SHELL, TZ, CI, and LANG and the LC_*
    locale categories when their value is a locale name) plus the names in
    ``policy.pass_env``; anything secret-looking that was not named in
    ``pass_env`` is dropped. ``GOVCHECK=1`` is set, then ``policy.env``.
    """
    passed = set(policy.pass_env)
    env: dict[str, str] = {}
    for name, value in parent.items():
        if name in passed:
            env[name] = value
        elif _looks_secret(name):
            continue
        elif name in _LOCALE_NAMES:
            if value == "" or _LOCALE_VALUE_RE.fullmatch(value):
                env[name] = value
        elif name in _BASE_ENV or name == "CI":
            env[name] = value
    env["GOVCHECK"] = "1"
    for name, value in policy.env.items():
        env[str(name)] = str(value)
    if not env.get("PATH"):
        env["PATH"] = DEFAULT_PATH
    return env


# --------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")

# What a placeholder value may look like, by what its name says it holds.
# Every pattern refuses a leading '-' (it would be read as an option, even
# quoted) and any character the shell treats specially inside double quotes
# ($ ` \ " !) or that ends single quotes ('), so a checked value means the
# same text in any quoting context of the template.
_REF_VALUE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]*(?:[~^][0-9]{0,4})*")  # sha, branch, HEAD~1
_PATH_VALUE_RE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./+@,=-]*")
_ID_VALUE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TEXT_VALUE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/:+@,=-]*")
_MAX_VALUE_LEN = 512


class PlaceholderError(ValueError):
    """A placeholder value that is not what its name says it holds."""


def placeholder_kind(name: str) -> str:
    """``ref`` (*_SHA, *_REF, *_COMMIT, *_BRANCH, names with BASE), ``path``
    (*_PATH, *_FILE, *_DIR), ``id`` (*_ID) or ``text`` for anything else."""
    upper = name.upper()
    if upper.endswith(("_SHA", "_REF", "_COMMIT", "_BRANCH")) or upper in ("SHA", "REF") or "BASE" in upper:
        return "ref"
    if upper.endswith(("_PATH", "_FILE", "_DIR")) or upper in ("PATH", "FILE", "DIR"):
        return "path"
    if upper.endswith("_ID") or upper == "ID":
        return "id"
    return "text"


_KIND_RES = {"ref": _REF_VALUE_RE, "path": _PATH_VALUE_RE, "id": _ID_VALUE_RE, "text": _TEXT_VALUE_RE}
_KIND_WORDS = {"ref": "a git ref or sha", "path": "a plain path", "id": "an id", "text": "plain text"}


def check_placeholder_value(name: str, value: str) -> str | None:
    """Why ``value`` cannot fill ``{{name}}`` (None when it can)."""
    kind = placeholder_kind(name)
    ok = len(value) <= _MAX_VALUE_LEN and _KIND_RES[kind].fullmatch(value) is not None
    if ok and kind == "ref" and (".." in value or "@{" in value or value.endswith((".", "/", ".lock"))):
        ok = False  # not a valid git ref name (git check-ref-format)
    if ok:
        return None
    shown = value if len(value) <= 60 else value[:59] + "…"
    return f"value {shown!r} of {{{{{name}}}}} is not {_KIND_WORDS[kind]}"


def fill_placeholders(command: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace ``{{NAME}}`` with ``values[NAME]``, checked and quoted.

    A value must look like what its name says (see
    :func:`check_placeholder_value`), else :class:`PlaceholderError` is
    raised: the values come from packet fields, which the pull request
    under test writes. Outside quotes a value is inserted ``shlex.quote``d;
    inside quotes of the template it is inserted as is (a checked value
    holds no character that is special there).

    Returns the filled text and the names that had no value (in order of
    first appearance, each once); those placeholders are left as written.
    """
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in values:
            value = str(values[name])
            problem = check_placeholder_value(name, value)
            if problem is not None:
                raise PlaceholderError(problem)
            if quote_context(command, m.start()) == "none":
                return shlex.quote(value)
            return value
        if name not in missing:
            missing.append(name)
        return m.group(0)

    return _PLACEHOLDER_RE.sub(sub, command), missing


def disallowed_part(command: str, allow: Sequence[re.Pattern[str]]) -> str | None:
    """Why ``run.allow`` refuses ``command`` (None when it allows it).

    Every simple command of the command line (see :mod:`.shell`) must match
    one of the patterns (``re.search`` on its text); a command line the
    reader cannot split with certainty is refused as a whole.
    """
    try:
        parts = simple_commands(command)
    except ShellParseError as exc:
        return f"run.allow cannot judge this command: {exc}"
    for part in parts:
        if not any(r.search(part.text) for r in allow):
            shown = part.text if len(part.text) <= 80 else part.text[:79] + "…"
            return f"not allowed by run.allow: `{shown}`"
    return None


# --------------------------------------------------------------------------
# Proof lines
# --------------------------------------------------------------------------

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_SUMMARY_RES = [
    re.compile(r"test result: (ok|FAILED)\.", re.IGNORECASE),  # cargo
    re.compile(r"=+ .*(passed|failed|error).* =+", re.IGNORECASE),  # pytest
    re.compile(r"\d+ passed", re.IGNORECASE),
    re.compile(r"Tests?:\s+\d+", re.IGNORECASE),  # jest / vitest
    re.compile(r"\d+ (passed|failed|tests?)\b", re.IGNORECASE),  # generic
]
_ERROR_RE = re.compile(r"error(\[E\d+\])?:", re.IGNORECASE)
_FAILED_RE = re.compile(r"FAILED", re.IGNORECASE)
_MAX_ERROR_LINES = 3
_MAX_LINE = 300


def _cap(line: str) -> str:
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"


def proof_lines(log_tail: str, limit: int = 5) -> tuple[str, ...]:
    """Lines of a log tail that show what a test run concluded.

    Test-runner summaries (cargo, pytest, jest/vitest, generic ``N passed``)
    are preferred, then compile errors (at most three), then ``FAILED``
    lines; the chosen lines keep their order in the log. When nothing
    matches, the last three non-empty lines are returned.
    """
    if limit <= 0:
        return ()
    lines = [_ANSI_RE.sub("", ln).strip() for ln in log_tail.splitlines()]
    lines = [ln for ln in lines if ln]
    ranked: list[tuple[int, int, str]] = []  # (rank, position, line)
    errors = 0
    for pos, ln in enumerate(lines):
        if any(r.search(ln) for r in _SUMMARY_RES):
            ranked.append((0, pos, ln))
        elif _ERROR_RE.search(ln):
            if errors < _MAX_ERROR_LINES:
                errors += 1
                ranked.append((1, pos, ln))
        elif _FAILED_RE.search(ln):
            ranked.append((2, pos, ln))
    if not ranked:
        return tuple(_cap(ln) for ln in lines[-3:])
    chosen = sorted(ranked)[:limit]
    chosen.sort(key=lambda t: t[1])
    return tuple(_cap(ln) for _, _, ln in chosen)


# --------------------------------------------------------------------------
# One command
# --------------------------------------------------------------------------


class _LogSink:
    """Writes the first ``cap`` bytes to the log, counts the rest, hashes
    what was written and keeps the last ``TAIL_BYTES`` in memory."""

    def __init__(self, fh, cap: int, masker: OutputMasker | None = None) -> None:
        self.fh = fh
        self.masker = masker or OutputMasker(())
        self.cap = max(0, cap)
        self.written = 0
        self.truncated = 0
        self.sha = hashlib.sha256()
        self.tail = bytearray()
        self.error: OSError | None = None
        self._last_byte = b"\n"

    def _write(self, data: bytes) -> None:
        if not data or self.error is not None:
            return
        try:
            self.fh.write(data)
        except OSError as exc:  # disk full ...: keep draining, note it
            self.error = exc
            return
        self.sha.update(data)
        self.written += len(data)
        self._last_byte = data[-1:]

    def feed(self, chunk: bytes) -> None:
        # Secrets are masked before anything is kept: the log, its hash, the
        # tail (proof lines) only ever see masked output.
        self._keep(self.masker.feed(chunk))

    def _keep(self, chunk: bytes) -> None:
        if not chunk:
            return
        room = self.cap - self.written if self.error is None else 0
        if room > 0:
            keep = chunk[:room]
            self._write(keep)
            self.truncated += len(chunk) - len(keep)
        else:
            self.truncated += len(chunk)
        self.tail += chunk
        if len(self.tail) > TAIL_BYTES:
            del self.tail[: len(self.tail) - TAIL_BYTES]

    def finish(self) -> None:
        self._keep(self.masker.flush())
        if self.truncated:
            prefix = b"" if self._last_byte == b"\n" else b"\n"
            marker = f"[govcheck: output truncated, {self.truncated} bytes dropped]\n"
            self._write(prefix + marker.encode())
        try:
            self.fh.flush()
        except OSError as exc:
            self.error = self.error or exc


def _reader(fd: int, sink: _LogSink, stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                break
            sink.feed(chunk)
    except (OSError, ValueError):
        pass


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _exited(proc: subprocess.Popen) -> bool:
    """Whether the child exited, without reaping it where possible: an
    unreaped zombie keeps its process group id from being reused while we
    kill the group."""
    if proc.returncode is not None:
        return True
    waitid = getattr(os, "waitid", None)
    if waitid is None:
        return proc.poll() is not None
    try:
        info = waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return proc.poll() is not None
    return info is not None


def _wait_exit(proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _exited(proc):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
    return True


def _terminate_group(proc: subprocess.Popen) -> None:
    # The reaper gets SIGTERM with the group and ends every descendant
    # (setsid ones too) within KILL_GRACE_S; it is given a moment more
    # before the group is killed.
    _killpg(proc.pid, signal.SIGTERM)
    _wait_exit(proc, KILL_GRACE_S + REAPER_MARGIN_S)
    _killpg(proc.pid, signal.SIGKILL)


def _read_report(fd: int, returncode: int | None) -> dict | None:
    """The reaper's report: the last JSON line it wrote to ``fd``, trusted
    only when it agrees with how the reaper (or the sandbox around it)
    exited. ``fd`` is closed."""
    data = b""
    try:
        while len(data) < _MAX_REPORT:
            try:
                chunk = os.read(fd, _MAX_REPORT)
            except BlockingIOError:  # a holder is still alive: take what is there
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    lines = data.decode("utf-8", "replace").strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    if not isinstance(report, dict) or not isinstance(report.get("left"), list):
        return None
    if "signal" in report and isinstance(report["signal"], int):
        expected = 128 + report["signal"]
    elif isinstance(report.get("exit"), int):
        expected = report["exit"]
    else:
        return None
    if returncode != expected:
        return None
    report["left"] = [str(name) for name in report["left"]]
    return report


def _left_behind(names: Sequence[str]) -> str:
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return f"left {len(names)} process(es) running after it exited ({shown}); govcheck ended them"


def _exit_code(returncode: int | None) -> int | None:
    if returncode is None:
        return None
    return 128 - returncode if returncode < 0 else returncode


def _fmt_seconds(value: float) -> str:
    return f"{value:g}"


def run_command(
    command: str,
    line: int,
    *,
    cwd: Path,
    log_file: Path,
    log_rel: str,
    policy: RunPolicy,
    parent_env: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
    log_dir_fd: int | None = None,
) -> CommandResult:
    """Run one (already filled) command; see the module docstring.

    The log is created as a new file named ``log_file.name`` in
    ``log_dir_fd`` when given (run_commands opens the folder once, safely),
    else in ``log_file``'s folder.
    """
    caller_env = os.environ if parent_env is None else parent_env
    env = build_env(caller_env, policy)
    started = time.monotonic()

    def failed(reason: str) -> CommandResult:
        return CommandResult(
            command=command,
            line=line,
            status="failed",
            duration_s=round(time.monotonic() - started, 3),
            reason=reason,
        )

    try:
        if log_dir_fd is not None:
            fh = _create_file(log_dir_fd, log_file.name)
        else:
            own_fd = _open_dir_path(log_file.parent)
            try:
                fh = _create_file(own_fd, log_file.name)
            finally:
                os.close(own_fd)
    except OSError as exc:
        return failed(f"cannot create log {log_rel}: {exc}")

    with fh:
        sink = _LogSink(fh, policy.log_cap, OutputMasker(secret_values(caller_env, policy.env)))
        make_non_dumpable()
        report_r, report_w = os.pipe()
        os.set_blocking(report_r, False)
        argv = [
            *isolation_prefix(policy.isolation),
            sys.executable, "-I", "-S", str(REAPER), str(report_w), _fmt_seconds(KILL_GRACE_S), "--",
            "bash", "-o", "pipefail", "-c", command,
        ]
        try:
            proc = subprocess.Popen(
                argv,
                cwd=str(cwd),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                bufsize=0,
                pass_fds=(report_w,),
            )
        except OSError as exc:
            os.close(report_r)
            return failed(f"cannot start bash: {exc}")
        finally:
            os.close(report_w)

        stop = threading.Event()
        assert proc.stdout is not None
        try:
            fcntl.fcntl(proc.stdout.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)
        except OSError:  # not Linux, or above /proc/sys/fs/pipe-max-size: the default will do
            pass
        reader = threading.Thread(
            target=_reader, args=(proc.stdout.fileno(), sink, stop), daemon=True
        )
        reader.start()

        status: str | None = None
        reason: str | None = None
        interrupted = False
        deadline = started + policy.timeout
        try:
            try:
                # A command ends when bash has exited AND its output has
                # closed: a background process still writing to (or holding)
                # the output is part of the command, bounded by the timeout.
                while not _exited(proc) or reader.is_alive():
                    if cancel is not None and cancel.is_set():
                        status, reason = "timeout", "interrupted"
                        _terminate_group(proc)
                        break
                    if time.monotonic() >= deadline:
                        status = "timeout"
                        reason = f"timed out after {_fmt_seconds(policy.timeout)} s"
                        if _exited(proc):
                            reason += " (a background process kept the command's output open)"
                        _terminate_group(proc)
                        break
                    time.sleep(_POLL_S)
            except KeyboardInterrupt:
                interrupted = True
                status, reason = "timeout", "interrupted"
                _terminate_group(proc)
        finally:
            # Background grandchildren die with the group, even on success.
            _killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            reader.join(READER_JOIN_S)
            if reader.is_alive():  # pipe held open outside the group
                stop.set()
                reader.join(1.0)
            try:
                proc.stdout.close()
            except OSError:
                pass
            sink.finish()
            report = _read_report(report_r, proc.returncode)

        duration = round(time.monotonic() - started, 3)
        returncode = proc.returncode
        if report is not None:  # the command's own exit, not the reaper's
            returncode = -report["signal"] if "signal" in report else report.get("exit", returncode)
        code = _exit_code(returncode)
        if status is None:
            if returncode == 0:
                status = "passed"
            else:
                status = "failed"
                if returncode is not None and returncode < 0:
                    try:
                        signame = signal.Signals(-returncode).name
                    except ValueError:
                        signame = str(-returncode)
                    reason = f"killed by {signame}"
            if report is None:
                # Without the reaper's word nothing says the command's
                # processes are gone (the reaper itself was killed).
                status = "failed"
                reason = _join(reason, "no report from the process reaper; processes the command started may survive")
            elif report.get("terminated"):
                # The runner sent no signal (no timeout, no Ctrl-C), so the
                # command did: the reaper ended it without listing what it
                # left, and the exit status is whatever a trap chose.
                status = "failed"
                reason = _join(reason, "the process reaper was signalled by another process and ended the command")
            elif report["left"]:
                # A strict gate: a command is its whole process tree. What it
                # left running could change the repo while the next command
                # runs, so its "passed" would prove nothing.
                status = "failed"
                reason = _join(reason, _left_behind(report["left"]))
        if sink.error is not None:
            note = f"log write failed: {sink.error}"
            reason = f"{reason}; {note}" if reason else note

    tail = bytes(sink.tail).decode("utf-8", errors="replace")
    result = CommandResult(
        command=command,
        line=line,
        status=status,
        exit_code=code,
        duration_s=duration,
        log_path=log_rel,
        log_sha256=sink.sha.hexdigest(),
        log_size=sink.written,
        truncated_bytes=sink.truncated,
        proof_lines=proof_lines(tail),
        reason=reason,
    )
    if interrupted:
        raise KeyboardInterrupt
    return result


# --------------------------------------------------------------------------
# A packet's commands
# --------------------------------------------------------------------------


class ResultCache(Protocol):
    """Where run_commands looks up and stores results (run.cache.RunCache)."""

    def get(self, packet_id: str, n: int, command: str) -> CommandResult | None: ...

    def put(self, packet_id: str, n: int, command: str, result: CommandResult) -> None: ...


def _join(*parts: str | None) -> str | None:
    """Reason texts joined with '; ' (None when there are none)."""
    kept = [p for p in parts if p]
    return "; ".join(kept) if kept else None


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text[:40]).strip("-")
    return slug or "command"


# The commands run with write access to the repo, state folder included:
# between two commands any folder or file name under it may have become a
# symlink to somewhere else. Folders are therefore opened one name at a time
# without following links, and files are created fresh (O_EXCL) through a
# descriptor of their folder, never by path.
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _open_subdirs(dir_fd: int, parts: Sequence[str]) -> int:
    """A new descriptor of ``parts`` below ``dir_fd``, each folder created if
    missing; a symlink on the way is an error, not followed."""
    fd = os.dup(dir_fd)
    try:
        for part in parts:
            try:
                os.mkdir(part, 0o777, dir_fd=fd)
            except FileExistsError:
                pass
            inner = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_dir_path(folder: Path) -> int:
    """A descriptor of ``folder`` (created if missing). The path is the
    caller's; only the names below it need the care of _open_subdirs."""
    folder.mkdir(parents=True, exist_ok=True)
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _create_file(dir_fd: int, name: str):
    """``name`` in ``dir_fd`` as a new empty file open for writing. What was
    there (an earlier log, or a symlink a command planted) is unlinked, never
    written through; a link planted again in between makes the create fail."""
    try:
        os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    return os.fdopen(os.open(name, _NEW_FILE_FLAGS, 0o644, dir_fd=dir_fd), "wb")


def _ensure_gitignore(state_fd: int) -> None:
    try:
        os.stat(".gitignore", dir_fd=state_fd, follow_symlinks=False)
        return
    except FileNotFoundError:
        pass
    try:
        fh = os.fdopen(os.open(".gitignore", _NEW_FILE_FLAGS, 0o644, dir_fd=state_fd), "wb")
    except FileExistsError:  # created meanwhile by a parallel packet
        return
    with fh:
        fh.write(b"*\n")


def run_commands(
    packet_id: str,
    commands: Sequence[Command],
    *,
    repo_root: Path,
    policy: RunPolicy,
    placeholders: Mapping[str, str],
    parent_env: Mapping[str, str] | None = None,
    on_event: Callable[[str, int, str], None] | None = None,
    cancel: threading.Event | None = None,
    state_dir: Path | None = None,
    cache: "ResultCache | None" = None,
) -> tuple[CommandResult, ...]:
    """Run a packet's TEST_PLAN commands in order.

    Logs go to ``.govcheck/logs/<packet_id>/NN-<slug>.log`` under the repo
    root. Each result's ``command`` is the command as run, placeholders
    filled; when that differs from the packet's text, the reason says which
    template it was filled from. ``on_event`` gets ``("start", n, command)``
    before a command runs and ``("end", n, command)`` once its result is
    known (also for refused and skipped commands), with ``n`` the 1-based
    position used in the log name.
    """
    repo_root = Path(repo_root)
    allow = [re.compile(p) for p in policy.allow] if policy.allow is not None else None
    safe_id = re.sub(r"[^A-Za-z0-9._-]+", "-", packet_id).strip(".-") or "packet"
    state = Path(state_dir) if state_dir is not None else repo_root / ".govcheck"
    log_dir = state / "logs" / safe_id
    setup_error: str | None = None
    log_dir_fd: int | None = None
    try:
        try:  # a state folder inside the repo is reached name by name from the root
            base, below = repo_root, state.relative_to(repo_root).parts
        except ValueError:
            base, below = state, ()
        base_fd = _open_dir_path(base)
        try:
            state_fd = _open_subdirs(base_fd, below)
        finally:
            os.close(base_fd)
        try:
            _ensure_gitignore(state_fd)
            log_dir_fd = _open_subdirs(state_fd, ("logs", safe_id))
        finally:
            os.close(state_fd)
    except OSError as exc:
        setup_error = f"cannot create log folder: {exc}"
    try:
        results: list[CommandResult] = []
        stop_reason: str | None = None
        for n, cmd in enumerate(commands, start=1):
            text = cmd.text
            result: CommandResult
            if stop_reason is None and cancel is not None and cancel.is_set():
                stop_reason = "interrupted"
            if stop_reason is not None:
                result = CommandResult(text, cmd.line, "skipped", reason=stop_reason)
            else:
                try:
                    filled, missing = fill_placeholders(text, placeholders)
                    bad_value = None
                except PlaceholderError as exc:
                    filled, missing, bad_value = text, [], str(exc)
                # The report shows the command as run; the template it was
                # filled from stays visible in the reason.
                origin = f"filled from `{text}`" if filled != text else None
                refusal = None
                if bad_value is not None:
                    refusal = f"placeholder {bad_value}"
                elif missing:
                    refusal = "unfilled placeholder " + ", ".join("{{" + m + "}}" for m in missing)
                elif allow is not None:
                    refusal = disallowed_part(filled, allow)
                if refusal is not None:
                    result = CommandResult(filled, cmd.line, "refused", reason=_join(refusal, origin))
                elif setup_error is not None:
                    result = CommandResult(filled, cmd.line, "failed", reason=_join(setup_error, origin))
                elif cache is not None and (hit := cache.get(packet_id, n, filled)) is not None:
                    result = dataclasses.replace(hit, command=filled, line=cmd.line, cached=True)
                else:
                    log_file = log_dir / f"{n:02d}-{_slug(text)}.log"
                    try:
                        log_rel = log_file.relative_to(repo_root).as_posix()
                    except ValueError:  # state folder outside the repo
                        log_rel = str(log_file)
                    if on_event is not None:
                        on_event("start", n, filled)
                    result = run_command(
                        filled,
                        cmd.line,
                        cwd=repo_root,
                        log_file=log_file,
                        log_rel=log_rel,
                        policy=policy,
                        parent_env=parent_env,
                        cancel=cancel,
                        log_dir_fd=log_dir_fd,
                    )
                    if result.reason == "interrupted":
                        stop_reason = "interrupted"
                    result = dataclasses.replace(result, reason=_join(result.reason, origin))
                    if cache is not None and stop_reason != "interrupted":
                        cache.put(packet_id, n, filled, result)
                if policy.fail_fast and result.status in ("failed", "timeout") and stop_reason is None:
                    stop_reason = "fail-fast"
            results.append(result)
            if on_event is not None:
                on_event("end", n, result.command)
    finally:
        if log_dir_fd is not None:
            os.close(log_dir_fd)
    return tuple(results)
