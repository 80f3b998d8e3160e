"""The real governance snapshot: every packet parses into a model that
matches our schema; the reference case reports what a validator would."""

from __future__ import annotations

import jsonschema
import pytest
from conftest import CORPUS, needs_corpus, run_cli

from govcheck.model import to_jsonable
from govcheck.util.schemas import load_schema

pytestmark = needs_corpus


def test_storage_foundation_is_stale_against_v02_123():
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", CORPUS, "--no-run")
    assert res.exit_code == 1
    assert "Verdict: FAIL" in res.stdout
    assert "spec-stale" in res.stdout
    assert "v02.90" in res.stdout and "v02.123" in res.stdout


@pytest.fixture(scope="module")
def corpus_report():
    res = run_cli("validate", "--all", "--repo", CORPUS, "--no-run", "--format", "json")
    assert res.exit_code == 1
    return res.json()


def test_all_packets_have_a_verdict_and_report_validates(corpus_report):
    jsonschema.validate(corpus_report, load_schema("report"))
    assert len(corpus_report["packets"]) >= 120
    verdicts = {p["verdict"] for p in corpus_report["packets"]}
    assert verdicts <= {"PASS", "FAIL", "OUTDATED"} and "OUTDATED" in verdicts  # closed work on older specs
    assert corpus_report["spec_current"]["version"] == "02.123"


@pytest.mark.slow  # a whole-corpus or thousands-of-documents comparison: .ci/run runs it
def test_every_corpus_packet_matches_packet_schema():
    from govcheck.engine.loader import load_packet, open_repo

    repo, _config, _rules = open_repo(CORPUS)
    schema = load_schema("packet")
    validator = jsonschema.Draft202012Validator(schema)
    count = 0
    for loc in repo.packets.values():
        packet = load_packet(repo, loc)
        errors = list(validator.iter_errors(to_jsonable(packet.to_dict())))
        assert not errors, (loc.path, errors[0].message)
        count += 1
    assert count >= 120


def test_known_true_findings(corpus_report):
    by_id = {p["id"]: p for p in corpus_report["packets"]}
    # the lone-backtick closer in this packet is a real structural defect
    ai_job = [f for f in by_id["WP-1-AI-Job-Model"]["findings"] if f["rule"] == "markdown-malformed"]
    assert any(f["severity"] == "error" for f in ai_job)
    # 2.3.12 exists in v02.123 (with another title): the anchor is not missing
    sf = by_id["WP-1-Storage-Foundation"]["findings"]
    assert not [f for f in sf if f["rule"] == "spec-anchor-missing" and "2.3.12" in f["data"]["sections"]]
