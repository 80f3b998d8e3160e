"""Writing files without ever leaving a half-written one behind."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    # mkstemp creates 0600 files; a new file gets the mode open() would give.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes, tmp_prefix: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically: a temp file in the same folder,
    fsync, then rename over the target, keeping the target's permissions.
    ``tmp_prefix`` names the temp file so that a caller can recognise (and
    clean) one left behind by a killed run."""
    path = Path(path)
    if path.is_symlink():
        # Write through the link to its target; renaming over the link
        # would replace the link itself.
        path = Path(os.path.realpath(path))
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        # /dev/null, /dev/stdout, a FIFO: never rename over a device or
        # pipe (as root that would replace /dev/null with a file); write.
        with open(path, "wb") as fh:
            fh.write(data)
        return
    folder = path.parent if str(path.parent) else Path(".")
    mode = st.st_mode & 0o7777 if st is not None else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix or f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
