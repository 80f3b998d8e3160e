"""Keep TEST_PLAN commands away from govcheck's own process.

A command runs with the user's rights; what protects the caller's secrets
and processes from it is, best first:

* ``bwrap``: bubblewrap puts the command in a new PID namespace with a fresh
  ``/proc`` (it sees only its own processes, so not govcheck's or the CI
  runner's ``/proc/<pid>/environ``), binds ``/`` read-write as it was (the
  repo stays writable as before), gives a minimal ``/dev`` and drops every
  capability (a root command could otherwise unmount the fresh ``/proc``
  and see the host's again). When the namespace's init exits the kernel
  kills everything left in it.
* ``unshare``: util-linux ``unshare --pid --fork --mount-proc`` with
  ``setpriv --bounding-set=-all`` (no capabilities after exec) gives the
  same where bwrap is missing but unshare may create namespaces (as root).
* ``none``: neither works (not Linux, no user namespaces, a container that
  forbids them): the command runs as a plain child in its own session.

Which one is used is probed once per process by running ``true`` in it.
Independently, govcheck marks itself non-dumpable (``PR_SET_DUMPABLE 0``)
so that a command running as the same *non-root* user cannot read
``/proc/<govcheck>/environ`` or its memory. As root that mark does not stop
reading (CAP_SYS_PTRACE overrides it); only the PID namespace does.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading

__all__ = ["ISOLATION_MODES", "isolation_prefix", "make_non_dumpable", "probe_isolation"]

ISOLATION_MODES = ("auto", "bwrap", "unshare", "none")
PR_SET_DUMPABLE = 4
_PROBE_TIMEOUT_S = 10

_lock = threading.Lock()
_probed: dict[str, bool] = {}
_non_dumpable_done = False


def _bwrap_prefix() -> list[str] | None:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    # --bind / / first: later mounts (/proc, /dev) go on top of it.
    return [bwrap, "--bind", "/", "/", "--unshare-pid", "--die-with-parent", "--proc", "/proc",
            "--dev", "/dev", "--cap-drop", "ALL", "--"]


def _unshare_prefix() -> list[str] | None:
    unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
    if unshare is None or setpriv is None:
        return None
    return [unshare, "--pid", "--fork", "--mount-proc", "--kill-child", "--",
            setpriv, "--bounding-set=-all", "--"]


_PREFIXES = {"bwrap": _bwrap_prefix, "unshare": _unshare_prefix}


def _works(mode: str, prefix: list[str]) -> bool:
    with _lock:
        if mode not in _probed:
            try:
                done = subprocess.run([*prefix, "true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, timeout=_PROBE_TIMEOUT_S, check=False)
                _probed[mode] = done.returncode == 0
            except (OSError, subprocess.SubprocessError):
                _probed[mode] = False
        return _probed[mode]


def probe_isolation(mode: str = "auto") -> tuple[str, list[str]]:
    """The isolation that works here for ``mode`` and the argv prefix that
    applies it: ``auto`` takes the first of bwrap, unshare that works, else
    ``none``; a named mode that does not work also gives ``none``."""
    if mode not in ISOLATION_MODES:
        raise ValueError(f"unknown isolation {mode!r} (one of {', '.join(ISOLATION_MODES)})")
    if not sys.platform.startswith("linux") or mode == "none":
        return "none", []
    for name in (("bwrap", "unshare") if mode == "auto" else (mode,)):
        prefix = _PREFIXES[name]()
        if prefix is not None and _works(name, prefix):
            return name, prefix
    return "none", []


def isolation_prefix(mode: str = "auto") -> list[str]:
    return probe_isolation(mode)[1]


def make_non_dumpable() -> bool:
    """Mark this process non-dumpable (Linux); True when that is in force."""
    global _non_dumpable_done
    if _non_dumpable_done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _non_dumpable_done = libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
    return _non_dumpable_done
