"""The per-user secret that authenticates cache entries.

Caches live in the state folder, inside the repository, where the
TEST_PLAN commands govcheck runs can write. An entry a command wrote must
never judge a later run, so every entry carries an HMAC-SHA256 made with
this key, kept outside the repository:

    $XDG_STATE_HOME/govcheck/cache-key   (else ~/.local/state/govcheck/cache-key)

created on first use (folder 0700, file 0600, 32 random bytes as hex)
and read once per process, before any command runs, so a command cannot
swap the key a run already holds.

The limit, said plainly: commands run as the same user, so unless the
runner hides this folder from them they can read the key and forge
entries that later runs would accept. The runner's sandbox (bubblewrap,
when available) must mask :func:`key_dir` — e.g. ``--tmpfs <key_dir()>``
— and must not let commands see ``KEY_DIR_ENV`` pointing elsewhere. Where
no key can be read or created (no writable home, a key file with loose
permissions or another owner), :func:`load_key` returns None and the
caches are off: slower, never wrong.
"""

from __future__ import annotations

import functools
import os
import secrets
import stat
from pathlib import Path

# The variable (XDG base directory spec) and names the runner must mask.
KEY_DIR_ENV = "XDG_STATE_HOME"
KEY_DIR_NAME = "govcheck"
KEY_FILE_NAME = "cache-key"
_KEY_HEX_LEN = 64


def key_dir() -> Path:
    """The folder holding the key (not created here)."""
    base = os.environ.get(KEY_DIR_ENV, "")
    # The spec says a relative value is invalid and must be ignored.
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / KEY_DIR_NAME


def _read_key(folder_fd: int) -> bytes | None:
    """The key in the file, or None when it is absent or not trustworthy."""
    try:
        fd = os.open(KEY_FILE_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        # Only a regular file, ours, readable by nobody else: a key others
        # can read (or write) authenticates nothing.
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            return None
        raw = os.read(fd, _KEY_HEX_LEN + 2).strip()
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) != _KEY_HEX_LEN:
        return None
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:
        return None


def _create_key(folder_fd: int) -> None:
    """Write a new key file: a private temp file linked into place, so two
    first runs at once agree on one key (the second link fails and that
    run reads the winner's). An existing untrustworthy key is replaced."""
    tmp = f".{KEY_FILE_NAME}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder_fd)
    try:
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, KEY_FILE_NAME, src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=False)
        except FileExistsError:
            if _read_key(folder_fd) is None:  # present but unusable: replace it
                os.replace(tmp, KEY_FILE_NAME, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    finally:
        try:
            os.unlink(tmp, dir_fd=folder_fd)
        except OSError:
            pass


@functools.lru_cache(maxsize=None)
def _load_key(folder: str) -> bytes | None:
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(dfd)
        if st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return None  # others could swap the key file
        key = _read_key(dfd)
        if key is None:
            _create_key(dfd)
            key = _read_key(dfd)
        return key
    except OSError:
        return None
    finally:
        os.close(dfd)


def load_key() -> bytes | None:
    """This user's cache key (created on first use), or None when no
    trustworthy key can be had. Memoised per process and per folder."""
    return _load_key(str(key_dir()))
