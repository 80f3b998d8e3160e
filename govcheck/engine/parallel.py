"""Cold runs across the cores: packets parsed, or parsed and checked, in
forked worker processes.

Forking only pays past a few hundred packets (process start-up and moving
results back cost ~0.1 s), and only where ``fork`` exists (spawn would
re-import and re-read everything). Any failure of the pool gives back
what was done; the caller does the rest in-process.

Results come back pickled, by the pool, over the pipe between the parent
and the children it forked: that never touches disk and nothing else can
write to it, unlike the caches (data-only, ``cache.codec``), which the
commands under test can reach.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Any, Callable, Sequence

from govcheck.cache.parse import ParseCache, packet_key
from govcheck.engine.loader import load_packet, read_packet_bytes
from govcheck.model import Packet
from govcheck.repo.repository import Repo

PARALLEL_MIN = 200  # below this, forking workers costs more than it saves
# ... unless the packets are large: the reference's folder packets (contracts,
# microtasks, old spec versions to compare with) cost ~50 ms each to check.
PARALLEL_MIN_BYTES = 1_000_000
PARALLEL_MIN_LARGE = 16  # and never for fewer packets than this
MAX_WORKERS = 8

# What forked workers inherit: set by the parent right before forking.
_FORKED: tuple | None = None


def workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def can_fork(count: int, size: int | None = None) -> bool:
    """Whether ``count`` packets (of ``size`` bytes, when known) are worth
    forking workers for."""
    enough = count > PARALLEL_MIN or (size is not None and count >= PARALLEL_MIN_LARGE and size > PARALLEL_MIN_BYTES)
    if not (enough and workers() >= 2):
        return False
    import multiprocessing  # here, not at import: a warm run never forks (~10 ms of imports)

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def fork_pool(n: int):
    """A process pool of forked workers. The parent's objects are frozen out
    of the garbage collector first: the children inherit them, and every
    full collection in a child would otherwise walk the inherited heap
    (touching, and so copying, its pages)."""
    import multiprocessing  # loaded only by a run that forks (see can_fork)
    from concurrent.futures import ProcessPoolExecutor  # the same

    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_gc) as pool:
            yield pool
    finally:
        gc.unfreeze()


# A run makes hundreds of thousands of containers (parse tokens, decoded
# cache entries) and frees them without cycles: collecting the young
# generation every 700 allocations (and the whole heap every 100 of those)
# costs more than it frees.
GC_THRESHOLDS = (50_000, 20, 20)


def _worker_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def few_collections():
    """The collector's thresholds raised while the block runs (as in the
    workers), then put back."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_forked(job: Callable, items: Sequence, state: tuple, chunksize: int = 1) -> list | None:
    """``job`` over ``items`` in forked workers that inherit ``state``;
    None when the pool broke (no /dev/shm, a killed worker)."""
    global _FORKED
    _FORKED = state
    try:
        with fork_pool(workers()) as pool:
            return list(pool.map(job, items, chunksize=chunksize))
    except Exception:  # a broken pool: the caller works in-process
        return None
    finally:
        _FORKED = None


def affinity_chunks(items: Sequence, keys: Sequence, size: int, group_cap: int,
                    weights: Sequence[float] | None = None,
                    key_cost: Callable[[Any], float] | None = None) -> list[list]:
    """``items`` in chunks for workers: items of one key (other than the
    empty ``()``) stay together, up to ``group_cap`` a chunk; keyless items
    go in chunks of ``size``. Costliest chunks first (the sum of the items'
    ``weights``, 1 each by default, plus ``key_cost(key)`` for a chunk of a
    key), so the last ones to be handed out are cheap and every worker
    finishes at about the same time."""
    groups: dict = {}
    weight_of: dict[int, float] = {}
    for n, (item, key) in enumerate(zip(items, keys)):
        groups.setdefault(key, []).append((n, item))
        weight_of[n] = weights[n] if weights is not None else 1
    costed: list[tuple[float, list]] = []
    for key, group in groups.items():
        step = group_cap if key != () else size
        extra = key_cost(key) if key_cost is not None and key != () else 0
        for i in range(0, len(group), step):
            part = group[i : i + step]
            costed.append((sum(weight_of[n] for n, _ in part) + extra, [item for _, item in part]))
    costed.sort(key=lambda c: c[0], reverse=True)  # stable: equal costs keep their order
    return [chunk for _, chunk in costed]


def forked_state() -> tuple:
    assert _FORKED is not None, "called outside a forked worker"
    return _FORKED


# -- parsing ------------------------------------------------------------------

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


def _parse_job(k: int) -> tuple[int, Packet]:
    """Parse job ``k`` in a worker; store it in the cache from the worker
    (the writes then run in parallel too) and hand back the packet."""
    from govcheck.parse.packet import parse_packet  # loaded already in the parent: no cost

    jobs, keys, cache = forked_state()
    loc, data, packet_json, profile = jobs[k]
    packet = parse_packet(data, packet_id=loc.id, path=loc.path, packet_json=packet_json, profile=profile)
    if cache is not None:
        cache.put(keys[k], packet)
    return k, packet


def _parallel_parse(repo: Repo, locations: Sequence, cache: ParseCache | None) -> dict[str, Packet]:
    """Parse the packets the cache does not hold in worker processes.
    Returns key -> Packet (also written to the cache)."""
    if not can_fork(len(locations)):
        return {}
    jobs: list[tuple] = []
    keys: list[str] = []
    for loc in locations:
        read = read_packet_bytes(repo, loc)
        if read is None:
            continue
        key = packet_key(loc.path, read[0], read[1], profile=repo.profile)
        if cache is not None and cache.has(key):
            continue
        jobs.append((loc, read[0], read[1], repo.profile))
        keys.append(key)
    if len(jobs) <= PARALLEL_MIN:
        return {}
    # The parent imports the parser before forking, so workers share it.
    import govcheck.parse.packet  # noqa: F401

    done = run_forked(_parse_job, range(len(jobs)), (jobs, keys, cache), chunksize=8)
    return {keys[k]: packet for k, packet in (done or ())}


def load_packets(repo: Repo, locations: Sequence, cache: ParseCache | None = None) -> list[Packet]:
    """``load_packet`` for every location, in order, using the cache and,
    for a large cold run, worker processes for the parsing."""
    parsed = _parallel_parse(repo, locations, cache)
    front = _Prefilled(cache, parsed) if parsed else cache
    return [load_packet(repo, loc, front) for loc in locations]
