"""The parse cache (govcheck.cache.parse): hits equal a fresh parse, keys follow
content and version, bad entries are ignored, output does not depend on
the cache, and the faster parse leaves every corpus model unchanged."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import CORPUS, GOOD_GEN2, STORAGE, needs_corpus, run_cli
from markdown_it import MarkdownIt

from govcheck.cache.parse import ParseCache, cached_index, packet_key
from govcheck.engine import parallel as parallel_mod
from govcheck.engine.loader import load_packet, open_repo
from govcheck.engine.parallel import load_packets
from govcheck.parse import packet as packet_mod
from govcheck.parse.packet import parse_packet
from govcheck.parse.spec import build_index

PACKET = GOOD_GEN2.encode("utf-8")


def _parse(data: bytes = PACKET):
    return parse_packet(data, packet_id="WP-1-Job-Queue-v2", path="WP-1-Job-Queue-v2.md")


def test_hit_returns_equal_packet(tmp_path: Path) -> None:
    c = ParseCache(tmp_path / "c")
    key = packet_key("WP-1-Job-Queue-v2.md", PACKET, None)
    assert c.get(key) is None
    packet = _parse()
    c.put(key, packet)
    again = ParseCache(tmp_path / "c").get(key)
    assert again == packet
    assert again.to_dict() == packet.to_dict()


def test_key_follows_bytes_path_json_and_version() -> None:
    base = packet_key("a/WP-1.md", PACKET, None)
    assert packet_key("a/WP-1.md", PACKET, None) == base
    assert packet_key("a/WP-1.md", PACKET + b"\n", None) != base
    assert packet_key("b/WP-1.md", PACKET, None) != base
    assert packet_key("a/WP-1.md", PACKET, b"") != base
    assert packet_key("a/WP-1.md", PACKET, b"{}") != packet_key("a/WP-1.md", PACKET, b"{ }")
    assert packet_key("a/WP-1.md", PACKET, None, version="9.9.9") != base


def test_changed_bytes_miss_and_parse_again(tmp_path: Path, storage_repo: Path) -> None:
    repo, _, _ = open_repo(storage_repo)
    loc = repo.packet("WP-1-Job-Queue-v2")
    c = ParseCache(tmp_path / "c")
    first = load_packet(repo, loc, c)
    assert (c.hits, c.misses) == (0, 1)
    assert load_packet(repo, loc, c) == first
    assert c.hits == 1
    path = storage_repo / loc.path
    path.write_bytes(path.read_bytes().replace(b"RISK_TIER: LOW", b"RISK_TIER: HIGH"))
    repo2, _, _ = open_repo(storage_repo)
    changed = load_packet(repo2, loc, c)
    assert c.misses == 2
    assert changed.risk_tier.value == "HIGH"
    assert changed == load_packet(repo2, loc)  # same as an uncached parse


def test_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    c = ParseCache(tmp_path / "c")
    key = packet_key("p.md", PACKET, None)
    c.put(key, _parse())
    entry = c.entry_path(key)
    # a pickle is junk too: nothing in a cache is ever unpickled
    for junk in (b"", b"not an entry", pickle.dumps({"a": 1}), entry.read_bytes()[:50], entry.read_bytes() + b" "):
        entry.write_bytes(junk)
        assert c.get(key) is None
    c.put(key, _parse())
    assert c.get(key) == _parse()


def test_io_errors_never_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    c = ParseCache(blocker / "cache")
    key = packet_key("p.md", PACKET, None)
    c.put(key, _parse())  # cannot create the folder: silently no cache
    assert c.get(key) is None
    off = ParseCache(tmp_path / "off", enabled=False)
    off.put(key, _parse())
    assert off.get(key) is None and not (tmp_path / "off").exists()


def test_spec_index_cached(tmp_path: Path) -> None:
    data = (STORAGE / "Handshake_Master_Spec_v02.93.md").read_bytes()
    from govcheck.parse import spec as spec_mod

    spec_mod._MEMO.clear()  # earlier tests indexed this spec in-process
    spec_mod._BY_ID.clear()
    c = ParseCache(tmp_path / "c")
    first = cached_index(data, c)
    assert first == build_index(data)
    assert list((tmp_path / "c").rglob("*.json"))
    spec_mod._MEMO.clear()
    spec_mod._BY_ID.clear()
    assert cached_index(bytes(data), c) == first
    assert spec_mod.index_store is None  # the hook is only set while in use


def _validate(*extra) -> dict:
    res = run_cli("validate", "--all", "--repo", str(STORAGE), "--no-run", "--format", "json", *extra,
                  env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert res.exit_code in (0, 1), res.stderr
    return res.json()


def test_output_identical_with_and_without_cache(tmp_path: Path) -> None:
    plain = _validate("--no-cache", "--state-dir", str(tmp_path / "nocache"))
    assert not (tmp_path / "nocache" / "cache").exists()
    cold = _validate("--state-dir", str(tmp_path / "state"))
    assert list((tmp_path / "state" / "cache" / "parse").rglob("*.json"))
    warm = _validate("--state-dir", str(tmp_path / "state"))
    assert json.dumps(plain, sort_keys=True) == json.dumps(cold, sort_keys=True) == json.dumps(warm, sort_keys=True)


def test_parallel_parse_keeps_order_and_models(tmp_path: Path, monkeypatch) -> None:
    repo, _, _ = open_repo(STORAGE)
    locs = list(repo.packets.values()) * 3  # enough work for the pool
    serial = [load_packet(repo, loc) for loc in locs]
    monkeypatch.setattr(parallel_mod, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel_mod, "workers", lambda: 2)
    c = ParseCache(tmp_path / "c")
    assert load_packets(repo, locs, c) == serial
    assert c.get(packet_key(locs[0].path, repo.read_bytes(locs[0].path), None, profile=repo.profile)) == serial[0]
    assert load_packets(repo, locs, None) == serial


@pytest.mark.slow  # a whole-corpus or thousands-of-documents comparison: .ci/run runs it
@needs_corpus
def test_corpus_models_identical(tmp_path: Path, monkeypatch) -> None:
    """Every corpus packet parses to the same model with the fast parser
    (no inline pass), with a full markdown-it parse, from the cache, and
    from worker processes."""
    repo, _, _ = open_repo(CORPUS)
    locs = list(repo.packets.values())
    assert len(locs) >= 120
    fast = [load_packet(repo, loc).to_dict() for loc in locs]

    full_md = MarkdownIt("commonmark", {"maxNesting": packet_mod._MAX_NESTING}).disable(
        ["html_block", "html_inline", "entity", "link", "image", "autolink", "backticks", "emphasis"]
    )
    with monkeypatch.context() as m:
        m.setattr(packet_mod, "_md", full_md)
        full = [load_packet(repo, loc).to_dict() for loc in locs]
    for a, b, loc in zip(fast, full, locs):
        assert a == b, loc.id

    c = ParseCache(tmp_path / "c")
    for loc in locs:
        load_packet(repo, loc, c)
    assert [load_packet(repo, loc, c).to_dict() for loc in locs] == fast
    assert c.hits == len(locs)

    monkeypatch.setattr(parallel_mod, "PARALLEL_MIN", 10)
    monkeypatch.setattr(parallel_mod, "workers", lambda: 2)
    assert [p.to_dict() for p in load_packets(repo, locs, ParseCache(tmp_path / "c2"))] == fast
