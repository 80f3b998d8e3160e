"""The hygiene and scan rules: each with a packet it passes and one it fails,
their options, and findings pinned on the real corpus.

Failing packets are the fixture's passing gen2 packet with one thing
changed, so each test shows what the rule reacts to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CORPUS, GOOD_GEN2, PACKET_DIR, findings, needs_corpus, run_cli, validate_json, write_packet

WP = "WP-1-Job-Queue-v2"
DATA = Path(__file__).parent / "data" / "rules_b"
GOOD_LINES = GOOD_GEN2.split("\n")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def _variant(repo, old: str, new: str, wp_id: str = WP) -> str:
    assert old in GOOD_GEN2, old
    text = GOOD_GEN2.replace(old, new)
    write_packet(repo, wp_id, text)
    return text


def _got(repo, rule: str, wp_id: str = WP, extra: tuple[str, ...] = ()) -> list[dict]:
    _, report = validate_json(repo, wp_id, extra=extra)
    return findings(report, wp_id, rule)


def _config(repo: Path, text: str) -> None:
    (repo / "govcheck.yaml").write_text(text, encoding="utf-8")


MY_RULES = (
    "non-ascii",
    "wp-id-naming",
    "lineage-missing",
    "refinement-missing",
    "evidence-missing-file",
    "claim-missing",
    "forbidden-pattern",
    "risk-map-hit",
)


def test_good_packet_passes_every_new_rule(storage_repo):
    code, report = validate_json(storage_repo, WP)
    assert code == 0
    assert [f for f in findings(report, WP) if f["rule"] in MY_RULES] == []


@pytest.mark.parametrize("rule", MY_RULES)
def test_explain_prints_sections(rule):
    res = run_cli("explain", rule)
    assert res.exit_code == 0, res.stderr
    for heading in ("What it checks", "Why", "How to fix", "Example"):
        assert heading in res.stdout


# -- non-ascii ------------------------------------------------------------------


def test_non_ascii_names_the_character(storage_repo):
    text = _variant(storage_repo, "Leased job queue", "Leased job queue per \u00a74.2")
    got = _got(storage_repo, "non-ascii")
    assert [(f["line"], f["severity"], f["codex"]) for f in got] == [(line_of(text, "per \u00a74.2"), "error", "CX-623")]
    assert "U+00A7 '\u00a7' (section sign)" in got[0]["message"]
    assert got[0]["data"]["characters"] == ["U+00A7"]


@pytest.mark.parametrize(
    "garbled, intended, name",
    [
        ("\u00c2\u00a7", "U+00A7", "section sign"),
        ("\u00e2\u20ac\u201d", "U+2014", "em dash"),
        ("\u00e2\u0153\u2026", "U+2705", "check mark"),
    ],
)
def test_non_ascii_names_mojibake(storage_repo, garbled, intended, name):
    text = _variant(storage_repo, "- lease\n", f"- lease {garbled} 4.2\n")
    got = _got(storage_repo, "non-ascii")
    assert len(got) == 1 and got[0]["line"] == line_of(text, f"- lease {garbled}")
    assert f"mojibake '{garbled}'" in got[0]["message"]
    assert name in got[0]["message"] and "Windows-1252" in got[0]["message"]
    assert got[0]["data"]["mojibake"] == [{"text": garbled, "intended": intended}]


def test_non_ascii_caps_lines_then_summarises(storage_repo):
    many = "\n".join(f"- note {i} \u2014 x" for i in range(60))
    _variant(storage_repo, "## IMPLEMENTATION\n", f"## IMPLEMENTATION\n{many}\n")
    got = _got(storage_repo, "non-ascii")
    assert len(got) == 51
    assert "10 more line(s)" in got[-1]["message"] and got[-1]["data"]["more_lines"] == 10


def test_non_ascii_leaves_invalid_bytes_to_encoding_invalid(storage_repo):
    data = GOOD_GEN2.encode("utf-8").replace(b"Leased job queue", b"Leased \x81 job queue")
    write_packet(storage_repo, WP, data)
    _, report = validate_json(storage_repo, WP)
    rules = {f["rule"] for f in findings(report, WP)}
    assert "encoding-invalid" in rules and "non-ascii" not in rules


def test_stray_cp1252_byte_is_read_as_its_character(storage_repo):
    # 0x97 is a Windows-1252 em dash: recovered (a warning), and still not ASCII
    data = GOOD_GEN2.encode("utf-8").replace(b"Leased job queue", b"Leased \x97 job queue")
    write_packet(storage_repo, WP, data)
    _, report = validate_json(storage_repo, WP)
    enc = [f for f in findings(report, WP) if f["rule"] == "encoding-invalid"]
    assert enc and enc[0]["severity"] == "warning" and "U+2014" in enc[0]["message"]
    assert any("U+2014" in f["message"] for f in findings(report, WP) if f["rule"] == "non-ascii")


def test_non_ascii_ignores_gen1_unless_always(storage_repo):
    # the gen1 fixture packet writes "§2.3.12"
    assert _got(storage_repo, "non-ascii", "WP-1-Storage-Foundation") == []
    _config(storage_repo, "rules:\n  non-ascii:\n    always: true\n")
    got = _got(storage_repo, "non-ascii", "WP-1-Storage-Foundation")
    assert got and all("U+00A7" in f["message"] for f in got)


def test_non_ascii_option_is_schema_checked(storage_repo):
    _config(storage_repo, "rules:\n  non-ascii:\n    always: 'yes'\n")
    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2 and "govcheck.yaml:3" in res.stderr


# -- wp-id-naming ----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_id, problem",
    [
        ("WP-1-Job-Queue-20260112", "date"),
        ("WP-1-Job-Queue-2026-01-12", "date"),
        ("WP-1-Job-Queue-T1530", "date"),
        ("WP-1-Job-Queue-V2", "revision"),
        ("WP-1-Job-Queue_v2", "revision"),
        ("WP-1-Job-Queue-rev2", "revision"),
        ("WP-1-Job-Queue-v02", "revision"),
        ("WP-1-Job-Queue-v0.1", "revision"),
    ],
)
def test_wp_id_naming_fails(storage_repo, bad_id, problem):
    write_packet(storage_repo, bad_id, GOOD_GEN2.replace(WP, bad_id))
    got = _got(storage_repo, "wp-id-naming", bad_id)
    assert [(f["line"], f["data"]["problem"], f["codex"]) for f in got] == [(5, problem, "CX-580C")]


def test_wp_id_naming_passes_good_names():
    from govcheck.rules.hygiene.wp_id_naming import naming_problems

    for good in ("WP-1-Job-Queue", "WP-1-Job-Queue-v2", "WP-1-Job-Queue-v10", "WP-1-MEX-v1.2-Runtime-v3", "WP-1-Response-Behavior-ANS-001"):
        assert naming_problems(good) == [], good
    assert [k for k, _ in naming_problems("Job-Queue")] == ["prefix"]


# -- lineage-missing -------------------------------------------------------------


def test_lineage_missing_section(storage_repo):
    text = GOOD_GEN2.replace(
        "## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]\n- WP-1-Job-Queue: first version, popped jobs instead of leasing them; replaced by this packet.\n\n",
        "",
    )
    assert text != GOOD_GEN2
    write_packet(storage_repo, WP, text)
    got = _got(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(5, "missing")]


@pytest.mark.parametrize("body", ["- N/A", "- Required when `WP_ID` includes `-v{N}`.\n- If this is not a revision packet, write: `N/A`.", ""])
def test_lineage_empty_section(storage_repo, body):
    text = _variant(storage_repo, "- WP-1-Job-Queue: first version, popped jobs instead of leasing them; replaced by this packet.", body)
    got = _got(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(line_of(text, "## LINEAGE_AUDIT"), "empty")]


def test_lineage_not_asked_of_v1_or_superseded(storage_repo):
    v1 = GOOD_GEN2.replace(WP, "WP-1-Job-Queue-v1").replace("## LINEAGE_AUDIT", "## NOTES")
    write_packet(storage_repo, "WP-1-Job-Queue-v1", v1)
    assert _got(storage_repo, "lineage-missing", "WP-1-Job-Queue-v1") == []
    write_packet(storage_repo, WP, GOOD_GEN2.replace("**Status:** Done", "**Status:** Superseded").replace("## LINEAGE_AUDIT", "## NOTES"))
    assert _got(storage_repo, "lineage-missing") == []


def _two_versions(repo) -> None:
    write_packet(repo, "WP-1-Job-Queue", GOOD_GEN2.replace(WP, "WP-1-Job-Queue"))


def _registry(repo, active_cell: str) -> tuple[Path, int]:
    text = (DATA / "WP_TRACEABILITY_REGISTRY.md").read_text(encoding="utf-8").replace("ACTIVE_CELL", active_cell)
    path = repo / ".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md"
    path.write_text(text, encoding="utf-8")
    return path, line_of(text, "| WP-1-Job-Queue |")


def test_lineage_registry_not_needed_for_a_single_version_or_without_registry(storage_repo):
    assert _got(storage_repo, "lineage-missing") == []  # one version, no registry
    _two_versions(storage_repo)
    assert _got(storage_repo, "lineage-missing") == []  # two versions, still no registry


def test_lineage_registry_entry_passes(storage_repo):
    _two_versions(storage_repo)
    _registry(storage_repo, f"{PACKET_DIR}/{WP}.md")
    assert _got(storage_repo, "lineage-missing") == []


def test_lineage_registry_without_row_for_base(storage_repo):
    _two_versions(storage_repo)
    path, _ = _registry(storage_repo, "x")
    path.write_text("\n".join(l for l in path.read_text().split("\n") if "WP-1-Job-Queue" not in l), encoding="utf-8")
    got = _got(storage_repo, "lineage-missing")
    assert [(f["line"], f["data"]["problem"]) for f in got] == [(6, "no-entry")]  # the BASE_WP_ID line
    # reported once per family, on the newest revision
    assert _got(storage_repo, "lineage-missing", "WP-1-Job-Queue") == []


def test_lineage_registry_row_names_missing_file(storage_repo):
    _two_versions(storage_repo)
    _, row = _registry(storage_repo, f"{PACKET_DIR}/WP-1-Job-Queue-v3.md")
    got = _got(storage_repo, "lineage-missing")
    assert [(f["path"], f["line"], f["data"]["problem"]) for f in got] == [
        (".GOV/roles_shared/WP_TRACEABILITY_REGISTRY.md", row, "bad-entry")
    ]
    assert "does not exist" in got[0]["message"]


# -- refinement-missing ------------------------------------------------------------


def test_refinement_missing(storage_repo):
    text = _variant(storage_repo, "- PACKET_FORMAT_VERSION: 2026-02-01\n",
                    "- PACKET_FORMAT_VERSION: 2026-02-01\n- REFINEMENT_FILE: .GOV/refinements/WP-1-Job-Queue-v2.md\n")
    got = _got(storage_repo, "refinement-missing")
    assert [(f["line"], f["severity"]) for f in got] == [(line_of(text, "REFINEMENT_FILE"), "error")]
    ref = storage_repo / ".GOV/refinements/WP-1-Job-Queue-v2.md"
    ref.parent.mkdir(parents=True)
    ref.write_text("# Refinement\n", encoding="utf-8")
    assert _got(storage_repo, "refinement-missing") == []


def test_refinement_path_in_prose_and_placeholder(storage_repo):
    text = _variant(storage_repo, "- Leases kept in a dict keyed by job identity.\n",
                    "- Leases kept in a dict keyed by job identity.\n- See `.GOV/refinements/WP-1-Gone.md` and .GOV/refinements/{{WP_ID}}.md\n")
    got = _got(storage_repo, "refinement-missing")
    assert [(f["line"], f["data"]["refinement"]) for f in got] == [(line_of(text, "WP-1-Gone"), ".GOV/refinements/WP-1-Gone.md")]


# -- evidence-missing-file ---------------------------------------------------------


def test_evidence_missing_file_and_line_past_end(storage_repo):
    text = GOOD_GEN2.replace("src/jobs/queue.py:19", "src/jobs/queue.py:190").replace("src/jobs/queue.py:24", "src/jobs/gone.py:3")
    write_packet(storage_repo, WP, text)
    got = _got(storage_repo, "evidence-missing-file")
    assert [(f["line"], f["data"]["evidence"]) for f in got] == [
        (line_of(text, "queue.py:190"), "src/jobs/queue.py:190"),
        (line_of(text, "gone.py:3"), "src/jobs/gone.py:3"),
    ]
    assert "points past its end" in got[0]["message"] and "does not exist" in got[1]["message"]


def test_evidence_checked_whatever_the_status(storage_repo):
    write_packet(storage_repo, WP, GOOD_GEN2.replace("**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: m\n- CODER_REASONING_STRENGTH: HIGH")
                 .replace("src/jobs/queue.py:24", "src/jobs/gone.py:3"))
    assert [f["data"]["evidence"] for f in _got(storage_repo, "evidence-missing-file")] == ["src/jobs/gone.py:3"]


def test_validation_target_file(storage_repo):
    manifest = (
        "## VALIDATION\n"
        "- **Target File**: `src/jobs/queue.py`\n- **Start**: 1\n"
        "- **Target File**: `src/jobs/removed.py`\n- **Start**: 1\n"
        "- **Target File**: `path/to/file`\n\n"
    )
    text = _variant(storage_repo, "## EVIDENCE_MAPPING\n", manifest + "## EVIDENCE_MAPPING\n")
    got = _got(storage_repo, "evidence-missing-file")
    assert [(f["line"], f["data"]["target_file"]) for f in got] == [(line_of(text, "removed.py"), "src/jobs/removed.py")]


# -- claim-missing -----------------------------------------------------------------


def test_claim_missing(storage_repo):
    text = _variant(storage_repo, "**Status:** Done", "**Status:** In Progress")
    got = _got(storage_repo, "claim-missing")
    status = line_of(text, "**Status:**")
    assert [(f["line"], f["data"]["field"]) for f in got] == [(status, "CODER_MODEL"), (status, "CODER_REASONING_STRENGTH")]


def test_claim_unclaimed_and_claimed(storage_repo):
    text = _variant(storage_repo, "**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: <unclaimed>\n- CODER_REASONING_STRENGTH: HIGH")
    got = _got(storage_repo, "claim-missing")
    assert [(f["line"], f["data"]["field"]) for f in got] == [(line_of(text, "CODER_MODEL"), "CODER_MODEL")]
    _variant(storage_repo, "**Status:** Done", "**Status:** In Progress\n- CODER_MODEL: gpt-5-codex\n- CODER_REASONING_STRENGTH: HIGH")
    assert _got(storage_repo, "claim-missing") == []
    # Ready for Dev packets are not claimed yet
    _variant(storage_repo, "**Status:** Done", "**Status:** Ready for Dev\n- CODER_MODEL: <unclaimed>")
    assert _got(storage_repo, "claim-missing") == []


# -- forbidden-pattern -------------------------------------------------------------


def _rust(repo: Path) -> None:
    (repo / "src/jobs/extra.rs").write_text("fn f() {\n    let x = foo().unwrap();\n    let y = bar().unwrap();\n}\n", encoding="utf-8")


def test_forbidden_pattern_silent_without_patterns(storage_repo):
    _rust(storage_repo)
    assert _got(storage_repo, "forbidden-pattern") == []


def test_forbidden_pattern_hits_point_at_code(storage_repo):
    _rust(storage_repo)
    _config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap\\\\(\\\\)"]\n')
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, "forbidden-pattern")
    assert code == 1
    assert [(f["path"], f["line"], f["codex"]) for f in got] == [("src/jobs/extra.rs", 2, "CX-573E"), ("src/jobs/extra.rs", 3, "CX-573E")]
    assert got[0]["data"] == {"file": "src/jobs/extra.rs", "line": 2, "pattern": "unwrap\\(\\)", "text": "let x = foo().unwrap();"}


def test_forbidden_pattern_paths_and_max_hits(storage_repo):
    _rust(storage_repo)
    _config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap", "visibility_timeout"]\n    paths: ["src/**/*.rs"]\n')
    assert {f["data"]["pattern"] for f in _got(storage_repo, "forbidden-pattern")} == {"unwrap"}
    _config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap"]\n    max_hits: 1\n')
    got = _got(storage_repo, "forbidden-pattern")
    summary = [f for f in got if f["data"].get("truncated")]
    assert len(got) == 2 and len(summary) == 1
    assert summary[0]["path"] == f"{PACKET_DIR}/{WP}.md" and summary[0]["line"] == line_of(GOOD_GEN2, "  - src/jobs/")


def test_forbidden_pattern_options_schema(storage_repo):
    _config(storage_repo, "rules:\n  forbidden-pattern:\n    patterns: unwrap\n")
    res = run_cli("validate", WP, "--repo", storage_repo, "--no-run")
    assert res.exit_code == 2 and "patterns" in res.stderr
    _config(storage_repo, "rules:\n  forbidden-pattern:\n    max_hits: 0\n")
    assert run_cli("validate", WP, "--repo", storage_repo, "--no-run").exit_code == 2


def test_forbidden_pattern_bad_regex_is_a_finding(storage_repo):
    _config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap("]\n')
    got = _got(storage_repo, "forbidden-pattern")
    assert len(got) == 1 and "not a valid regular expression" in got[0]["message"]


def test_forbidden_pattern_skips_binary_and_never_leaves_repo(storage_repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.rs").write_text("x.unwrap()\n", encoding="utf-8")
    os.symlink(outside / "secret.rs", storage_repo / "src/jobs/link.rs")
    os.symlink(outside, storage_repo / "src/jobs/linkdir")
    (storage_repo / "src/jobs/blob.bin").write_bytes(b"\x00\x01unwrap()\x00")
    _config(storage_repo, 'rules:\n  forbidden-pattern:\n    patterns: ["unwrap"]\n')
    assert _got(storage_repo, "forbidden-pattern") == []
    # a scope entry pointing out of the repo is refused too
    _variant(storage_repo, "  - src/jobs/\n", "  - ../outside/\n  - src/jobs/linkdir/\n")
    assert _got(storage_repo, "forbidden-pattern") == []


# -- risk-map-hit ------------------------------------------------------------------


RISKY = GOOD_GEN2.replace("  - Lease timed by the wall clock -> check for `time.time(`",
                          "  - Lease never expires -> check `visibility_timeout`")


def test_risk_map_hit_silent_when_nothing_matches(storage_repo):
    # the fixture's RISK_MAP names `time.time(`, which its code does not use
    assert _got(storage_repo, "risk-map-hit") == []


def test_risk_map_hit_can_be_turned_off(storage_repo):
    write_packet(storage_repo, WP, RISKY)
    assert _got(storage_repo, "risk-map-hit")
    _config(storage_repo, "rules:\n  risk-map-hit:\n    enabled: false\n")
    assert _got(storage_repo, "risk-map-hit") == []


def test_risk_map_hit_lists_review_locations(storage_repo):
    write_packet(storage_repo, WP, RISKY)
    code, report = validate_json(storage_repo, WP)
    got = findings(report, WP, "risk-map-hit")
    assert code == 0  # info only: the packet still passes
    assert [(f["path"], f["line"], f["severity"]) for f in got] == [
        ("src/jobs/check_queue.py", 8, "info"),
        ("src/jobs/queue.py", 6, "info"),
        ("src/jobs/queue.py", 7, "info"),
        ("src/jobs/queue.py", 19, "info"),
    ]
    assert got[1]["data"]["pattern"] == "visibility_timeout" and "Lease never expires" in got[1]["data"]["risk"]


def test_risk_map_patterns_are_literal():
    from govcheck.rules.scan.risk_map_hit import risk_patterns
    from govcheck.parse.packet import parse_packet

    text = RISKY.replace(
        "  - Lease never expires -> check `visibility_timeout`",
        "  - SQL portability -> review migrations for `?1`, `strftime`, `CREATE TRIGGER`.",
    )
    packet = parse_packet(text.encode(), packet_id=WP, path="x.md")
    assert [p for p, _, _ in risk_patterns(packet)] == ["?1", "strftime", "CREATE TRIGGER"]


# -- the real corpus ---------------------------------------------------------------


@needs_corpus
def test_corpus_findings_pinned():
    ids = (
        "WP-1-Model-Swap-Protocol-v1",
        "WP-1-Storage-Foundation-20251228",
        "WP-1-Editor-Hardening-v2",
        "WP-1-AppState-Refactoring-v3",
        "WP-1-ACE-Validators-v2",
        "WP-1-Debug-Bundle-v2",
    )
    _, report = validate_json(CORPUS, *ids)

    moj = findings(report, "WP-1-Model-Swap-Protocol-v1", "non-ascii")
    assert len(moj) == 14
    assert moj[0]["line"] == 320 and "mojibake '\u00e2\u20ac\u201d'" in moj[0]["message"] and "em dash" in moj[0]["message"]

    naming = findings(report, "WP-1-Storage-Foundation-20251228", "wp-id-naming")
    assert [f["data"]["problem"] for f in naming] == ["date"]

    # the LINEAGE_AUDIT section holds only the template's instructions
    assert [(f["line"], f["data"]["problem"]) for f in findings(report, "WP-1-Editor-Hardening-v2", "lineage-missing")] == [(85, "empty")]
    # lineage audit recorded as a list item in the validation report
    assert findings(report, "WP-1-AppState-Refactoring-v3", "lineage-missing") == []
    # superseded by -v4 in the registry: history, not asked for an audit
    assert findings(report, "WP-1-ACE-Validators-v2", "lineage-missing") == []

    # a Windows path in the VALIDATION manifest is read as a path
    target = findings(report, "WP-1-Debug-Bundle-v2", "evidence-missing-file")
    assert [(f["line"], f["data"]["target_file"]) for f in target] == [(308, "src/backend/handshake_core/src/bundles/exporter.rs")]
