"""On-disk cache of parsed packets and spec indexes.

Parsing a packet is the costly part of ``validate --no-run``; its result
depends only on the packet's bytes (and packet.json's), its path and the
govcheck version. So the parsed ``Packet`` is pickled under

    sha256(version, path, packet bytes, packet.json bytes)

and a spec's section index under sha256(version, spec sha256). Nothing
else goes into a key, so a hit is always what a parse would give.

Entries are written atomically (temp file + ``os.replace``), so runs in
parallel never see half an entry; an entry that cannot be read or
unpickled, or holds the wrong type, is ignored and rewritten. No I/O error
ever escapes: a cache that cannot be used only makes the run slower.

Cache folder: ``<repo>/.govcheck/cache/parse`` by default (or under
``--state-dir``); ``--no-cache`` bypasses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from govcheck.cache.fingerprint import code_fingerprint
from govcheck.model import Packet
from govcheck.parse import spec
from govcheck.parse.spec import SpecIndex, index_spec

# Bump when the pickled shape changes without a version bump (dev builds).
CACHE_FORMAT = 1


def _prefix(version: str) -> bytes:
    return f"govcheck {version} cache {CACHE_FORMAT}".encode()


def packet_key(path: str, data: bytes, packet_json: bytes | None, version: str | None = None) -> str:
    h = hashlib.sha256(_prefix(version or code_fingerprint()))
    for part in (b"packet", path.encode("utf-8"), data, b"json" if packet_json is not None else b"-",
                 packet_json or b""):
        # length-prefixed, so no two different tuples hash the same stream
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def spec_key(spec_sha256: str, version: str | None = None) -> str:
    return hashlib.sha256(_prefix(version or code_fingerprint()) + b"\0spec-index\0" + spec_sha256.encode("ascii")).hexdigest()


class ParseCache:
    """Pickled packets (and spec indexes) in ``folder``. With
    ``enabled=False`` every get misses and every put does nothing."""

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.folder = Path(folder)
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    # -- files --------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def _load(self, key: str, kind: type):
        if not self.enabled:
            return None
        try:
            with open(self._path(key), "rb") as fh:
                obj = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # corrupt, truncated, unreadable: ignore, rewrite later
            return None
        return obj if isinstance(obj, kind) else None

    def _store(self, key: str, obj: object) -> None:
        if not self.enabled:
            return
        try:
            payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # unpicklable: no cache
            return
        self.put_bytes(key, payload)

    def put_bytes(self, key: str, payload: bytes) -> None:
        """Store an already pickled entry (atomically; errors ignored)."""
        if not self.enabled:
            return
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, path)
            tmp = None
        except Exception:  # read-only folder, disk full: no cache
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def has(self, key: str) -> bool:
        return self.enabled and self._path(key).is_file()

    # -- packets ------------------------------------------------------------

    def get(self, key: str) -> Packet | None:
        packet = self._load(key, Packet)
        if packet is None:
            self.misses += 1
        else:
            self.hits += 1
        return packet

    def put(self, key: str, packet: Packet) -> None:
        self._store(key, packet)

    # -- spec indexes (govcheck.parse.spec.index_store protocol) -------------

    def get_index(self, spec_sha256: str):
        return self._load(spec_key(spec_sha256), SpecIndex)

    def put_index(self, spec_sha256: str, index) -> None:
        self._store(spec_key(spec_sha256), index)


def cached_index(data: bytes, cache: ParseCache | None):
    """``index_spec(data)`` consulting ``cache`` for the index."""
    with spec_index_cache(cache):
        return index_spec(data)


@contextmanager
def spec_index_cache(cache: ParseCache | None) -> Iterator[None]:
    """Let ``index_spec`` use ``cache`` while the block runs."""

    previous = spec.index_store
    spec.index_store = cache if cache is not None and cache.enabled else None
    try:
        yield
    finally:
        spec.index_store = previous
