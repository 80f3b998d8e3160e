"""The per-packet result cache: warm runs reuse results only while every
input is unchanged, and never change the output."""

from __future__ import annotations

import pytest
from conftest import CORPUS, GOOD_GEN2, needs_corpus, run_cli, write_packet

WP = "WP-1-Job-Queue-v2"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def _run(repo, state, *extra, env=EPOCH):
    res = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "json", "--state-dir", state, *extra, env=env)
    assert res.exit_code in (0, 1), res.stderr
    return res.stdout


def _fresh(repo, tmp_path, env=EPOCH):
    return _run(repo, tmp_path / "nocache", "--no-cache", env=env)


def _entries(state):
    return list((state / "cache" / "results").rglob("*.json"))


def test_warm_run_is_identical_and_served_from_cache(storage_repo, tmp_path):
    state = tmp_path / "state"
    cold = _run(storage_repo, state)
    assert len(_entries(state)) == 2
    warm = _run(storage_repo, state)
    assert cold == warm == _fresh(storage_repo, tmp_path)


@pytest.mark.parametrize("change", ["evidence-file", "config", "spec", "refinement", "new-family-member", "date"])
def test_any_input_change_is_seen(storage_repo, tmp_path, change):
    state = tmp_path / "state"
    text = GOOD_GEN2.replace("## SCOPE\n", "## TECHNICAL_REFINEMENT (MASTER SPEC)\n- REFINEMENT_FILE: .GOV/refinements/WP-1-Job-Queue-v2.md\n\n## SCOPE\n")
    write_packet(storage_repo, WP, text)
    env = EPOCH
    before = _run(storage_repo, state)
    if change == "evidence-file":  # the evidenced line no longer exists
        (storage_repo / "src/jobs/queue.py").write_text("# emptied\n")
    elif change == "config":
        (storage_repo / "govcheck.yaml").write_text("rules:\n  refinement-missing: {severity: warning}\n")
    elif change == "spec":  # the anchored section disappears from the current spec
        spec = storage_repo / "Handshake_Master_Spec_v02.93.md"
        spec.write_text(spec.read_text().replace("## 4.2 Job queue", "## 4.9 Job queue"))
    elif change == "refinement":  # the missing refinement file appears
        (storage_repo / ".GOV/refinements").mkdir(parents=True)
        (storage_repo / ".GOV/refinements/WP-1-Job-Queue-v2.md").write_text("# Refinement\n")
    elif change == "new-family-member":  # a v3 appears: lineage and registry expectations change
        write_packet(storage_repo, "WP-1-Job-Queue-v3", GOOD_GEN2.replace("WP-1-Job-Queue-v2", "WP-1-Job-Queue-v3"))
        (storage_repo / ".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md").write_text(
            "| Base WP ID | Active Packet |\n|---|---|\n| WP-1-Other | WP-1-Other |\n")
    elif change == "date":
        env = {"SOURCE_DATE_EPOCH": "1798761600"}  # a year later
    after = _run(storage_repo, state, env=env)
    assert after == _fresh(storage_repo, tmp_path, env=env)
    assert after != before


@pytest.mark.slow  # a whole-corpus or thousands-of-documents comparison: .ci/run runs it
@needs_corpus
def test_corpus_output_identical_with_and_without_cache(tmp_path):
    state = tmp_path / "state"
    first = _run(CORPUS, state)
    warm = _run(CORPUS, state)
    assert first == warm == _fresh(CORPUS, tmp_path)


def test_parallel_cold_check_matches_serial(storage_repo, tmp_path, monkeypatch):
    import govcheck.engine.parallel as parallel_mod

    serial = _fresh(storage_repo, tmp_path)
    monkeypatch.setattr(parallel_mod, "PARALLEL_MIN", 0)  # fork workers even for two packets
    monkeypatch.setattr("govcheck.engine.parallel.workers", lambda: 2)
    parallel = _run(storage_repo, tmp_path / "p", "--no-cache")
    filled = _run(storage_repo, tmp_path / "q")  # workers also fill the result cache
    assert serial == parallel == filled
    assert len(_entries(tmp_path / "q")) == 2
