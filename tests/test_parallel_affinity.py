"""Cold runs in forked workers: packets that will need the same old spec
text are chunked together (so one worker reads and indexes it), the
parent shares the current index and the history map before forking, and
the report is the one a serial run gives."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT, run_cli

from govcheck.engine.parallel import affinity_chunks
from govcheck.repo.spec_history import likely_version

sys.path.insert(0, str(ROOT / "bench"))
import gen_history  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def test_likely_version_is_the_most_mentioned():
    text = b"- SPEC_ANCHOR: Handshake_Master_Spec_v02.90.md 2.3\nMaster Spec v02.90; see v02.93 and v2.1"
    assert likely_version(text) == (2, 90)
    assert likely_version(b"v1.2 then v1.3") == (1, 2)  # a tie: the first mentioned
    assert likely_version(b"no version, 2.3.12 is a section, vX.1 is not one") == ()
    # a spec's version outweighs versions in pasted output, however many
    build_log = b"Compiling core v0.2.8\n" * 5
    assert likely_version(b"- SPEC_BASELINE: Handshake_Master_Spec_v02.149.md\n" + build_log) == (2, 149)
    assert likely_version(b"per payments-spec-v1.3.md\n" + build_log) == (1, 3)


def test_affinity_chunks_keep_a_version_together_and_lose_nothing():
    items = list(range(20))
    keys = [(2, 90) if i % 2 else () for i in items]  # ten of one version, ten without one
    chunks = affinity_chunks(items, keys, size=3, group_cap=50)
    assert sorted(x for c in chunks for x in c) == items
    assert [1, 3, 5, 7, 9, 11, 13, 15, 17, 19] in chunks  # one chunk, in order
    assert all(len(c) <= 3 for c in chunks if c[0] % 2 == 0)  # keyless: chunks of `size`
    assert [len(c) for c in chunks] == sorted((len(c) for c in chunks), reverse=True)


def test_affinity_chunks_split_a_group_past_its_cap():
    chunks = affinity_chunks(list(range(10)), [(1, 0)] * 10, size=2, group_cap=4)
    assert chunks == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_affinity_chunks_costliest_first():
    # three keyless items of 1, 50 and 5 (chunks of one), a group of two
    # light items whose key costs a text to index: 2 + 100
    chunks = affinity_chunks(["a", "b", "c", "d", "e"], [(), (), (), (2, 9), (2, 9)], size=1, group_cap=10,
                             weights=[1, 50, 5, 1, 1], key_cost=lambda key: 100)
    assert chunks == [["d", "e"], ["b"], ["c"], ["a"]]


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("hist") / "repo"
    gen_history.make_history_repo(root, commits=30, n_packets=24, n_versions=5, spec_bytes=40_000, seed=3)
    return root


def _json(repo, state, *extra):
    res = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "json", "--state-dir", state, *extra,
                  env=EPOCH)
    assert res.exit_code in (0, 1), res.stderr
    return res.stdout


def test_forked_run_with_old_versions_from_history_matches_serial(history_repo, tmp_path, monkeypatch):
    import govcheck.engine.parallel as parallel_mod
    import govcheck.engine.validate as validate_mod

    serial = _json(history_repo, tmp_path / "s", "--no-cache")
    assert '"old_spec_source": "git ' in serial  # packets anchored to versions only history holds
    monkeypatch.setattr(parallel_mod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(parallel_mod, "workers", lambda: 2)
    monkeypatch.setattr(validate_mod, "workers", lambda: 2)
    assert _json(history_repo, tmp_path / "p", "--no-cache") == serial
    assert _json(history_repo, tmp_path / "q") == serial  # workers fill the caches
    assert _json(history_repo, tmp_path / "q") == serial  # and a warm run reads them


def test_a_few_large_packets_are_worth_forking_for(monkeypatch):
    import govcheck.engine.parallel as parallel_mod

    monkeypatch.setattr(parallel_mod, "workers", lambda: 2)
    big = parallel_mod.PARALLEL_MIN_BYTES + 1
    assert parallel_mod.can_fork(parallel_mod.PARALLEL_MIN + 1)
    assert parallel_mod.can_fork(100, big)  # the reference's folder packets: 100 packets, 4.5 MB
    assert not parallel_mod.can_fork(100, parallel_mod.PARALLEL_MIN_BYTES)  # small packets: not worth it
    assert not parallel_mod.can_fork(100)  # size unknown
    assert not parallel_mod.can_fork(parallel_mod.PARALLEL_MIN_LARGE - 1, big)
    monkeypatch.setattr(parallel_mod, "workers", lambda: 1)
    assert not parallel_mod.can_fork(1000, big)


def test_few_collections_raises_the_thresholds_and_puts_them_back():
    import gc

    from govcheck.engine.parallel import GC_THRESHOLDS, few_collections

    before = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), few_collections():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == before
