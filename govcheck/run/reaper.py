"""Run one TEST_PLAN command and end every process it started.

Started by the runner as ``python -I -S reaper.py REPORT_FD GRACE -- ARGV...``
(inside a PID namespace where one is available). It declares itself a
*child subreaper* (Linux ``PR_SET_CHILD_SUBREAPER``), so a process the
command leaves behind, even one that called setsid or double-forked to
become a daemon, is reparented here instead of to init and stays visible as
a descendant. When the command's main process has exited, every descendant
still running is a process the command left behind: it is listed, sent
SIGTERM, and after GRACE seconds SIGKILL. SIGTERM to the reaper itself (the
runner's timeout or Ctrl-C) ends the command and all descendants the same
way; the report then says ``"terminated": true`` and lists nothing in
``left`` (the runner fails such a command unless it sent the signal).

Last, one JSON line goes to REPORT_FD: ``exit`` or ``signal`` of the main
process, ``left`` (names of the processes left running) and ``subreaper``
(whether the kernel accepted the role). It is written after every
descendant is gone, so nothing the command started can write after it; the
runner reads the last line. The reaper exits with the main process's exit
code (128 + signal number when it was killed).

Standard library only, no govcheck imports, and only cheap modules: it
starts for every command, and nothing of the caller's is loaded next to the
command. ``signal`` and ``json`` are avoided because they import ``enum``
and ``re`` (about 30 ms on a loaded machine); ``_signal`` is the C module
behind ``signal``.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time

try:
    import _signal as signal
except ImportError:  # another Python implementation
    import signal  # type: ignore[no-redef]

PR_SET_CHILD_SUBREAPER = 36
_FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_QUIET_SCANS = 3  # empty scans in a row before no descendant is believed left
_GIVE_UP_S = 5.0


class _Terminate(Exception):
    pass


def _on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _Terminate


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _proc_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, name, state) for every process in /proc (none
    where there is no /proc: then nothing left behind can be found, and the
    runner's process-group kill is all there is)."""
    table: dict[int, tuple[int, str, str]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("utf-8", "replace")
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.find("(") + 1:stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) >= 2:
            table[int(entry)] = (int(fields[1]), name, fields[0])
    return table


def living_descendants() -> list[tuple[int, str]]:
    """(pid, name) of every descendant of this process that is not a zombie."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[tuple[int, str]] = []
    stack = list(children.get(os.getpid(), ()))
    while stack:
        pid = stack.pop()
        _, name, state = table[pid]
        if state != "Z":
            found.append((pid, name))
        stack.extend(children.get(pid, ()))
    return sorted(found)


def reap_zombies(main_pid: int, statuses: dict[int, int]) -> None:
    """Collect every exited child (orphans reparented here included)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == main_pid:
            statuses[pid] = status


def end_descendants(main_pid: int, statuses: dict[int, int], grace: float) -> None:
    """SIGTERM every descendant, SIGKILL what is left after ``grace``
    seconds, until none is left.

    /proc is read one process at a time, so a scan can miss a process whose
    parent exited in between (it is being reparented here): only several
    empty scans in a row end the loop, and a process first seen late still
    gets SIGTERM first.
    """
    termed: set[int] = set()
    deadline = time.monotonic() + grace
    give_up = deadline + _GIVE_UP_S  # a process stuck in the kernel cannot be killed
    quiet = 0
    while quiet < _QUIET_SCANS and time.monotonic() < give_up:
        reap_zombies(main_pid, statuses)
        left = living_descendants()
        quiet = 0 if left else quiet + 1
        late = time.monotonic() >= deadline
        for pid, _ in left:
            if late:
                _kill(pid, signal.SIGKILL)
            elif pid not in termed:
                termed.add(pid)
                _kill(pid, signal.SIGTERM)
        time.sleep(0.005 if not left else 0.01)
    reap_zombies(main_pid, statuses)


def left_behind() -> list[str]:
    """Names of the descendants running once the main process has exited,
    from two scans (see end_descendants on why one can miss a process)."""
    seen = dict(living_descendants())
    time.sleep(0.005)
    seen.update(living_descendants())
    return [name for _, name in sorted(seen.items())]


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def main(argv: list[str]) -> int:
    report_fd, grace = int(argv[1]), float(argv[2])
    command = argv[argv.index("--") + 1:]
    os.set_inheritable(report_fd, False)  # the command never gets the report channel
    subreaper = become_subreaper() or os.getpid() == 1  # init of a PID namespace reaps anyway
    for sig in _FORWARDED:
        signal.signal(sig, _on_signal)
    statuses: dict[int, int] = {}
    terminated = False
    left: list[str] = []
    # Held back until main_pid is known: the command can signal the reaper
    # as soon as it runs, and _Terminate must not escape before the try.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _FORWARDED)
    try:
        main_pid = os.posix_spawnp(
            command[0], command, dict(os.environ),
            setsigmask=mask, setsigdef=(*_FORWARDED, signal.SIGPIPE, signal.SIGXFSZ),
        )
    except OSError as exc:
        os.write(2, f"govcheck: cannot start {command[0]}: {exc}\n".encode())
        main_pid, statuses = -1, {-1: 127 << 8}
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending signal raises here
        while main_pid not in statuses:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if pid == main_pid:
                statuses[pid] = status
        left = left_behind()
    except _Terminate:
        terminated = True
    for sig in _FORWARDED:  # the clean-up itself is not interrupted
        signal.signal(sig, signal.SIG_IGN)
    end_descendants(main_pid, statuses, grace)

    status = statuses.get(main_pid)
    fields = [f'"left": [{", ".join(_json_name(n) for n in left)}]',
              f'"subreaper": {str(subreaper).lower()}', f'"terminated": {str(terminated).lower()}']
    code = 128 + signal.SIGKILL
    if status is not None and os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        fields.append(f'"exit": {code}')
    elif status is not None and os.WIFSIGNALED(status):
        fields.append(f'"signal": {os.WTERMSIG(status)}')
        code = 128 + os.WTERMSIG(status)
    try:
        os.write(report_fd, ("{" + ", ".join(fields) + "}\n").encode())
    except OSError:
        pass
    return code


def _json_name(name: str) -> str:
    """A process name as a JSON string; anything but plain characters
    becomes '?' (a name is the command's choice, up to 15 bytes)."""
    return '"' + "".join(c if c.isalnum() or c in "._-+:@" else "?" for c in name) + '"'



if __name__ == "__main__":
    sys.exit(main(sys.argv))
