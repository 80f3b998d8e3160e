"""On-disk cache of parsed packets and spec indexes.

Parsing a packet is the costly part of ``validate --no-run``; its result
depends only on the packet's bytes (and packet.json's), its path and the
govcheck code. So the parsed ``Packet`` is stored under

    sha256(code fingerprint, path, packet bytes, packet.json bytes)

and a spec's section index under sha256(code fingerprint, spec sha256).
Nothing else goes into a key, so a hit is always what a parse would give.

Entries are data only (``cache.codec`` JSON, never pickle: unpickling
runs code, and the state folder is writable by the commands under test)
and authenticated (``cache.store``): a planted, forged or foreign entry
is a miss. Anything that cannot be read or decoded is ignored and
rewritten; no I/O error ever escapes.

Cache folder: ``<repo>/.govcheck/cache/parse`` by default (or under
``--state-dir``); ``--no-cache`` bypasses it.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TypeVar

from govcheck.cache import codec
from govcheck.cache.fingerprint import code_fingerprint
from govcheck.cache.state import CACHE_OWNED_PARTS
from govcheck.cache.store import EntryStore
from govcheck.model import Packet
from govcheck.model.profile import Profile
from govcheck.parse import spec
from govcheck.parse.spec import SpecIndex, index_spec

# Bump when the stored shape changes without a code change (never, in
# practice: the code fingerprint covers the models).
CACHE_FORMAT = 2

T = TypeVar("T")


def _prefix(version: str) -> bytes:
    return f"govcheck {version} cache {CACHE_FORMAT}".encode()


def packet_key(path: str, data: bytes, packet_json: bytes | None, version: str | None = None,
               profile: Profile | None = None) -> str:
    h = hashlib.sha256(_prefix(version or code_fingerprint()))
    # The profile's names and vocabulary change what a parse reads.
    dialect = b"" if profile is None else profile.parse_fingerprint.encode("ascii")
    for part in (b"packet", path.encode("utf-8"), data, b"json" if packet_json is not None else b"-",
                 packet_json or b"", *((b"profile", dialect) if dialect else ())):
        # length-prefixed, so no two different tuples hash the same stream
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def spec_key(spec_sha256: str, version: str | None = None) -> str:
    return hashlib.sha256(_prefix(version or code_fingerprint()) + b"\0spec-index\0" + spec_sha256.encode("ascii")).hexdigest()


class ParseCache:
    """Packets (and spec indexes) in ``folder`` (``<state>/cache/parse``).
    With ``enabled=False`` every get misses and every put does nothing."""

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.folder = Path(folder)
        self.enabled = enabled
        self.hits = 0
        self.misses = 0
        self._store: EntryStore | None = None
        if enabled:
            try:
                self._store = EntryStore(self.folder, CACHE_OWNED_PARTS, "parse")
            except ValueError:
                self.enabled = False

    # -- entries ------------------------------------------------------------

    def _load(self, key: str, kind: type[T]) -> T | None:
        payload = self._store.get(key) if self._store is not None else None
        if payload is None:
            return None
        try:
            return codec.decode(payload, kind)
        except codec.DecodeError:  # shape from other code, or damaged: ignore, rewrite later
            return None

    def _store_obj(self, key: str, obj: object) -> None:
        if self._store is None:
            return
        try:
            payload = codec.encode(obj)
        except (TypeError, ValueError):  # not representable: no cache
            return
        self._store.put(key, payload)

    def entry_path(self, key: str) -> Path:
        """The entry file for ``key`` (tests, diagnostics)."""
        return self._store.path(key) if self._store is not None else self.folder / key

    def has(self, key: str) -> bool:
        """An entry exists (unverified): lets parallel parsing skip work."""
        return self._store is not None and self._store.exists(key)

    # -- packets ------------------------------------------------------------

    def get(self, key: str) -> Packet | None:
        packet = self._load(key, Packet)
        if packet is None:
            self.misses += 1
        else:
            self.hits += 1
        return packet

    def put(self, key: str, packet: Packet) -> None:
        self._store_obj(key, packet)

    # -- spec indexes (govcheck.parse.spec.index_store protocol) -------------

    def get_index(self, spec_sha256: str) -> SpecIndex | None:
        index = self._load(spec_key(spec_sha256), SpecIndex)
        # The entry names the text it indexes: one for other bytes is foreign.
        return index if index is not None and index.sha256 == spec_sha256 else None

    def put_index(self, spec_sha256: str, index: SpecIndex) -> None:
        self._store_obj(spec_key(spec_sha256), index)


def cached_index(data: bytes, cache: ParseCache | None) -> SpecIndex:
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
