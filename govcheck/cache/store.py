"""Authenticated cache entries in the state folder, read and written
without ever following a link.

Every cache (parse, results, runs) keeps its entries here. An entry file is

    govcheck-cache 2 <kind> <key>\\n
    <HMAC-SHA256(user key, kind NUL key NUL payload) as hex>\\n
    <payload>

and :meth:`EntryStore.get` returns the payload only when the header names
the kind and key asked for (an entry copied from another key is foreign)
and the HMAC verifies with the user's key (``cache.authkey``): an entry a
TEST_PLAN command forged or planted is ignored, as is any entry when no
key can be had.

File system rules, because the folder sits in the repository where the
commands under test can write:

* the folder is reached from its trusted anchor (the folder holding the
  state folder, checked by ``StateDir.for_repo``) one component at a
  time with ``O_NOFOLLOW | O_DIRECTORY``, so a link planted anywhere in
  ``.govcheck/cache/<name>`` makes the cache unusable, never redirected;
  that descriptor is kept for the store's life;
* entries are opened with ``O_NOFOLLOW | O_NONBLOCK`` and used only when
  ``fstat`` says regular file (a FIFO never blocks a run) and no larger
  than :data:`MAX_ENTRY_BYTES`;
* writes go to a fresh ``O_EXCL`` temp file (0600) renamed into place
  within the folder's descriptor.

No I/O error escapes: a cache that cannot be used only makes runs slower.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import weakref
from pathlib import Path

from govcheck.cache.authkey import load_key

FORMAT = b"govcheck-cache 2"
# Larger than any real entry (a packet with thousands of fields is ~1 MB);
# a bigger file is not ours and is not read into memory.
MAX_ENTRY_BYTES = 64 * 1024 * 1024

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _subdir(name: str, dir_fd: int, create: bool) -> int:
    """A descriptor of folder ``name`` in ``dir_fd`` (made 0700 first with
    ``create``), never through a link. Raises OSError."""
    if create:
        try:
            os.mkdir(name, 0o700, dir_fd=dir_fd)
        except FileExistsError:
            pass
    return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)


def open_dir_nofollow(anchor: Path, parts: tuple[str, ...], create: bool) -> int:
    """A descriptor of ``anchor/parts...``, each part opened (and with
    ``create`` made) without following a link. Raises OSError."""
    fd = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            nxt = _subdir(part, fd, create)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(name: str, dir_fd: int | None, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """The bytes of regular file ``name`` (never through a link, never
    blocking on a FIFO or device), or None. Larger than ``limit``: None."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks = []
        left = st.st_size + 1  # one byte more tells a file that grew
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


class EntryStore:
    """Entries of one ``kind`` under ``anchor/parts...`` (sharded by the
    first two hex digits of the key when ``sharded``)."""

    def __init__(self, folder: Path, owned: int, kind: str, sharded: bool = True) -> None:
        folder = Path(os.path.abspath(folder))  # a relative folder still needs its anchor
        parts = folder.parts[-owned:] if owned else ()
        if owned and (len(folder.parts) <= owned or any(p in ("", ".", "..") for p in parts)):
            raise ValueError(f"cache folder {folder} has no anchor")
        self.folder = folder
        self._anchor = folder.parents[owned - 1] if owned else folder
        self._parts = tuple(parts)
        self.kind = kind
        self.sharded = sharded
        self._fd: int | None = None
        self._broken = False
        self._key = load_key()

    @property
    def usable(self) -> bool:
        return self._key is not None and not self._broken

    def _folder_fd(self, create: bool) -> int | None:
        if self._fd is None and not self._broken:
            try:
                self._fd = open_dir_nofollow(self._anchor, self._parts, create)
            except OSError:
                if create:
                    self._broken = True  # a link or a file in the way: no cache this run
                return None
            weakref.finalize(self, os.close, self._fd)
        return self._fd

    def _shard(self, key: str, create: bool) -> tuple[int | None, int | None]:
        """(descriptor to use, descriptor to close after) for key's folder."""
        base = self._folder_fd(create)
        if base is None or not self.sharded:
            return base, None
        try:
            fd = _subdir(key[:2], base, create)
        except OSError:
            return None, None
        return fd, fd

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives (for tests and diagnostics;
        reads and writes never go through this path)."""
        return self.folder / key[:2] / f"{key}.json" if self.sharded else self.folder / f"{key}.json"

    def _mac(self, key: str, payload: bytes) -> bytes:
        assert self._key is not None
        mac = hmac.new(self._key, self.kind.encode() + b"\0" + key.encode() + b"\0", hashlib.sha256)
        mac.update(payload)
        return mac.hexdigest().encode("ascii")

    def _header(self, key: str) -> bytes:
        return b"%s %s %s\n" % (FORMAT, self.kind.encode(), key.encode())

    def exists(self, key: str) -> bool:
        """An entry file is there (not verified: for skipping work only)."""
        if not self.usable or not _is_key(key):
            return False
        fd, close = self._shard(key, create=False)
        if fd is None:
            return False
        try:
            return stat.S_ISREG(os.stat(f"{key}.json", dir_fd=fd, follow_symlinks=False).st_mode)
        except OSError:
            return False
        finally:
            if close is not None:
                os.close(close)

    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``, if authentic; else None."""
        if not self.usable or not _is_key(key):
            return None
        fd, close = self._shard(key, create=False)
        if fd is None:
            return None
        try:
            data = read_regular(f"{key}.json", fd)
        finally:
            if close is not None:
                os.close(close)
        if data is None:
            return None
        header = self._header(key)
        if not data.startswith(header):
            return None  # another format, kind or key: foreign
        mac_end = len(header) + 64
        if data[mac_end : mac_end + 1] != b"\n":
            return None
        payload = data[mac_end + 1 :]
        if not hmac.compare_digest(data[len(header) : mac_end], self._mac(key, payload)):
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` atomically; errors ignored."""
        if not self.usable or not _is_key(key):
            return
        fd, close = self._shard(key, create=True)
        if fd is None:
            return
        tmp = f".{key[:16]}.{secrets.token_hex(6)}.tmp"
        try:
            wfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
            try:
                with os.fdopen(wfd, "wb") as fh:
                    fh.write(self._header(key))
                    fh.write(self._mac(key, payload))
                    fh.write(b"\n")
                    fh.write(payload)
            except BaseException:
                os.unlink(tmp, dir_fd=fd)
                raise
            # rename replaces whatever sits at the name (a planted link
            # included) without following it
            os.replace(tmp, f"{key}.json", src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:
            try:
                os.unlink(tmp, dir_fd=fd)
            except OSError:
                pass
        finally:
            if close is not None:
                os.close(close)


def _is_key(key: str) -> bool:
    # Keys are sha256 hex digests: nothing else becomes a file name.
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)
