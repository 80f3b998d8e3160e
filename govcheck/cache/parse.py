"""On-disk cache of parsed packets and spec indexes, and parallel parsing.

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

import gc
import hashlib
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from govcheck.cache.fingerprint import code_fingerprint
from govcheck.model import Packet

# Bump when the pickled shape changes without a version bump (dev builds).
CACHE_FORMAT = 1


def _prefix(version: str) -> bytes:
    return f"govcheck {version} cache {CACHE_FORMAT}".encode()

# Parallel parsing pays off only past this many packets to parse (process
# start-up and moving results back cost ~0.1 s).
PARALLEL_MIN = 200


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
        from govcheck.parse.spec import SpecIndex

        return self._load(spec_key(spec_sha256), SpecIndex)

    def put_index(self, spec_sha256: str, index) -> None:
        self._store(spec_key(spec_sha256), index)


def cached_index(data: bytes, cache: ParseCache | None):
    """``index_spec(data)`` consulting ``cache`` for the index."""
    with spec_index_cache(cache):
        from govcheck.parse.spec import index_spec

        return index_spec(data)


@contextmanager
def spec_index_cache(cache: ParseCache | None) -> Iterator[None]:
    """Let ``index_spec`` use ``cache`` while the block runs."""
    from govcheck.parse import spec

    previous = spec.index_store
    spec.index_store = cache if cache is not None and cache.enabled else None
    try:
        yield
    finally:
        spec.index_store = previous


class _Prefilled:
    """A cache front that answers from packets parsed in this run first."""

    def __init__(self, cache: ParseCache | None, parsed: dict[str, Packet]) -> None:
        self.cache = cache
        self.parsed = parsed

    def get(self, key: str) -> Packet | None:
        hit = self.parsed.get(key)
        if hit is not None:
            return hit
        return self.cache.get(key) if self.cache is not None else None

    def put(self, key: str, packet: Packet) -> None:
        if self.cache is not None:
            self.cache.put(key, packet)


# -- parallel parsing ---------------------------------------------------------

_FORKED: tuple | None = None  # (jobs, keys, cache) inherited by forked workers


def _parse_job(k: int) -> tuple[int, bytes]:
    """Parse job ``k`` in a worker; store it in the cache from the worker
    (the writes then run in parallel too) and hand back the pickle."""
    from govcheck.parse.packet import parse_packet

    jobs, keys, cache = _FORKED  # type: ignore[misc]
    loc, data, packet_json = jobs[k]
    packet = parse_packet(data, packet_id=loc.id, path=loc.path, packet_json=packet_json)
    payload = pickle.dumps(packet, protocol=pickle.HIGHEST_PROTOCOL)
    if cache is not None:
        cache.put_bytes(keys[k], payload)
    return k, payload


def _read(repo, loc) -> tuple[bytes, bytes | None] | None:
    """The bytes load_packet would parse, or None when it would not parse
    (a packet leaving the repo, an unreadable file)."""
    from govcheck.errors import GovcheckError

    if loc.escapes_repo:
        return None
    try:
        data = repo.read_bytes(loc.path)  # refuses a path leaving the repo
    except GovcheckError:
        return None
    packet_json = None
    if loc.json_path:
        try:
            packet_json = repo.read_bytes(loc.json_path)
        except GovcheckError:
            packet_json = None
    return data, packet_json


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, cpus)


@contextmanager
def fork_pool(workers: int):
    """A process pool of forked workers. The parent's objects are frozen out
    of the garbage collector first: the children inherit them, and every
    full collection in a child would otherwise walk the inherited heap
    (touching, and so copying, its pages)."""
    import multiprocessing

    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_gc) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _worker_gc() -> None:
    # A worker makes hundreds of thousands of short-lived containers (parse
    # tokens) and keeps few: collecting the young generation every 700
    # allocations costs more than it frees.
    gc.set_threshold(50_000, 20, 20)


def _parallel_parse(repo, locations: Sequence, cache: ParseCache | None) -> dict[str, Packet]:
    """Parse the packets the cache does not hold in worker processes, when
    there are enough of them and more than one core. Returns key -> Packet
    (also written to the cache). Any failure of the pool returns what was
    done; the caller parses the rest itself."""
    global _FORKED
    workers = _workers()
    if workers < 2 or len(locations) <= PARALLEL_MIN:
        return {}
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return {}  # spawn would re-import and re-read everything: not worth it
    jobs: list[tuple] = []
    keys: list[str] = []
    for loc in locations:
        read = _read(repo, loc)
        if read is None:
            continue
        key = packet_key(loc.path, read[0], read[1])
        if cache is not None and cache.has(key):
            continue
        jobs.append((loc, read[0], read[1]))
        keys.append(key)
    if len(jobs) <= PARALLEL_MIN:
        return {}
    parsed: dict[str, Packet] = {}
    _FORKED = (jobs, keys, cache)
    try:
        with fork_pool(min(workers, 8)) as pool:
            for k, payload in pool.map(_parse_job, range(len(jobs)), chunksize=8):
                parsed[keys[k]] = pickle.loads(payload)
    except Exception:  # a broken pool (no /dev/shm, killed worker): parse in-process
        pass
    finally:
        _FORKED = None
    return parsed


def load_packets(repo, locations: Sequence, cache: ParseCache | None = None) -> list[Packet]:
    """``load_packet`` for every location, in order, using the cache and,
    for a large cold run, worker processes for the parsing."""
    from govcheck.engine.validate import load_packet

    parsed = _parallel_parse(repo, locations, cache)
    front = _Prefilled(cache, parsed) if parsed else cache
    return [load_packet(repo, loc, front) for loc in locations]
