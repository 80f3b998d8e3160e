"""One hostile input costs one finding, never the run (issue 14, item 5).

Each case is a repo state a pull request can create: over-long file names
in the fields that name files, a symlink loop, a line number of thousands
of digits, JSON/YAML/TOML nested thousands deep, a FIFO where a packet
should be. A packet problem must come back as a finding naming the file
and line (exit 0 or 1, a schema-valid report); a setup problem (config,
baseline, SPEC_CURRENT) as exit 2 with one line on stderr; never an
internal error, never a hang.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import GOOD_GEN2, PACKET_DIR, run_cli, write_packet

from govcheck.util.schemas import load_schema

LONG_NAME = "n" * 300  # one component over NAME_MAX (255 bytes)
DEEP = 20_000  # nesting far past Python's recursion limit


def _packet_with(extra_metadata: str = "", evidence: str | None = None, tail: str = "") -> str:
    text = GOOD_GEN2.replace("WP-1-Job-Queue-v2", "WP-1-Hostile")
    text = text.replace("- PACKET_FORMAT_VERSION: 2026-02-01\n", "- PACKET_FORMAT_VERSION: 2026-02-01\n" + extra_metadata)
    if evidence is not None:
        text = text.replace("EVIDENCE: src/jobs/queue.py:17", f"EVIDENCE: {evidence}")
    return text + tail


def _validate_ok(repo: Path, *ids: str) -> dict:
    """validate --format json: exit 0/1, no internal error, a valid report."""
    res = run_cli("validate", *(ids or ("--all",)), "--repo", repo, "--no-run", "--format", "json")
    assert "internal error" not in res.stderr, res.stderr
    assert res.exit_code in (0, 1), res.stderr
    report = res.json()
    jsonschema.validate(report, load_schema("report"))
    return report


def _setup_error(repo: Path) -> str:
    res = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "json")
    assert res.exit_code == 2, res.stdout
    assert "internal error" not in res.stderr, res.stderr
    assert res.stderr.count("\n") == 1, res.stderr
    return res.stderr


def _rules(report: dict, wp_id: str = "WP-1-Hostile") -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in report["packets"]:
        if p["id"] == wp_id:
            for f in p["findings"]:
                out.setdefault(f["rule"], []).append(f)
    return out


@pytest.mark.parametrize("field", [
    f"- REFINEMENT_FILE: .GOV/refinements/{LONG_NAME}.md\n",
    f"- **Target File**: `src/{LONG_NAME}.py`\n",
])
def test_over_long_file_name_in_a_field_is_a_finding(storage_repo: Path, field: str) -> None:
    # The folders exist, so the lookup reaches the long name (ENAMETOOLONG),
    # not a missing folder before it (ENOENT).
    (storage_repo / ".GOV/refinements").mkdir()
    write_packet(storage_repo, "WP-1-Hostile", _packet_with(extra_metadata=field))
    report = _validate_ok(storage_repo, "WP-1-Hostile")
    messages = " ".join(f["message"] for fs in _rules(report).values() for f in fs)
    assert LONG_NAME in messages


def test_over_long_in_scope_path_does_not_cost_the_run(storage_repo: Path) -> None:
    text = _packet_with().replace("  - src/jobs/\n", f"  - src/jobs/\n  - src/{LONG_NAME}/\n  - src/{LONG_NAME}.py\n")
    write_packet(storage_repo, "WP-1-Hostile", text)
    _validate_ok(storage_repo, "WP-1-Hostile")


def test_over_long_evidence_path_is_a_finding(storage_repo: Path) -> None:
    write_packet(storage_repo, "WP-1-Hostile", _packet_with(evidence=f"src/{LONG_NAME}.py:17"))
    report = _validate_ok(storage_repo, "WP-1-Hostile")
    assert any(LONG_NAME in f["message"] for fs in _rules(report).values() for f in fs)


def test_line_number_of_5000_digits_is_a_finding(storage_repo: Path) -> None:
    write_packet(storage_repo, "WP-1-Hostile", _packet_with(evidence="src/jobs/queue.py:" + "9" * 5000))
    report = _validate_ok(storage_repo, "WP-1-Hostile")
    assert any("queue.py" in f["message"] for fs in _rules(report).values() for f in fs)


def test_symlink_loop_named_by_a_packet_is_a_finding(storage_repo: Path) -> None:
    os.symlink("loop-b", storage_repo / "src/loop-a")
    os.symlink("loop-a", storage_repo / "src/loop-b")
    text = _packet_with(evidence="src/loop-a:3", extra_metadata="- **Target File**: `src/loop-b`\n")
    text = text.replace("  - src/jobs/\n", "  - src/jobs/\n  - src/loop-a\n")
    write_packet(storage_repo, "WP-1-Hostile", text)
    report = _validate_ok(storage_repo, "WP-1-Hostile")
    assert any("src/loop-b does not exist" in f["message"] for fs in _rules(report).values() for f in fs)


def test_packet_that_is_a_symlink_loop_is_a_finding(storage_repo: Path) -> None:
    folder = storage_repo / PACKET_DIR
    os.symlink("WP-1-Loop-B.md", folder / "WP-1-Loop-A.md")
    os.symlink("WP-1-Loop-A.md", folder / "WP-1-Loop-B.md")
    report = _validate_ok(storage_repo)
    assert _rules(report, "WP-1-Loop-A")


def test_deep_packet_json_is_a_finding(storage_repo: Path) -> None:
    folder = storage_repo / PACKET_DIR / "WP-1-Hostile"
    folder.mkdir()
    (folder / "packet.md").write_text(_packet_with())
    (folder / "packet.json").write_text("[" * DEEP + "]" * DEEP)
    report = _validate_ok(storage_repo, "WP-1-Hostile")
    assert _rules(report)


def test_spec_current_naming_an_over_long_path_does_not_cost_the_run(storage_repo: Path) -> None:
    # The path cannot exist; the bare file name is then looked for in the
    # spec folders (as for any pointer), where the fixture has it.
    pointer = f"**{LONG_NAME}/Handshake_Master_Spec_v02.93.md**\n"
    (storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md").write_text("# SPEC_CURRENT\n\n" + pointer)
    _validate_ok(storage_repo)


def test_spec_current_naming_an_over_long_missing_file_is_a_setup_error(storage_repo: Path) -> None:
    (storage_repo / "Handshake_Master_Spec_v02.93.md").unlink()
    pointer = f"**{LONG_NAME}/Handshake_Master_Spec_v02.93.md**\n"
    (storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md").write_text("# SPEC_CURRENT\n\n" + pointer)
    assert "SPEC_CURRENT.md:3: names" in _setup_error(storage_repo)


def test_deep_json_spec_current_is_a_setup_error(storage_repo: Path) -> None:
    deep = '{"current_spec": ' + "[" * DEEP + "]" * DEEP + "}"
    (storage_repo / ".GOV/roles_shared/SPEC_CURRENT.md").write_text(deep)
    assert "SPEC_CURRENT" in _setup_error(storage_repo)


def test_deep_baseline_is_a_setup_error(storage_repo: Path) -> None:
    (storage_repo / ".govcheck-baseline.json").write_text('{"findings": ' + "[" * DEEP + "]" * DEEP + "}")
    assert ".govcheck-baseline.json" in _setup_error(storage_repo)


@pytest.mark.parametrize("name, text", [
    ("govcheck.yaml", "rules: " + "[" * DEEP + "]" * DEEP + "\n"),
    ("govcheck.yaml", "".join("  " * i + "a:\n" for i in range(3000))),
    ("pyproject.toml", "[tool.govcheck]\nrules = " + "[" * DEEP + "]" * DEEP + "\n"),
])
def test_deep_config_is_a_setup_error(storage_repo: Path, name: str, text: str) -> None:
    (storage_repo / name).write_text(text)
    assert name in _setup_error(storage_repo)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_packet_is_refused_without_blocking(storage_repo: Path) -> None:
    os.mkfifo(storage_repo / PACKET_DIR / "WP-1-Fifo.md")
    folder = storage_repo / PACKET_DIR / "WP-1-Fifo-Folder"
    folder.mkdir()
    os.mkfifo(folder / "packet.md")
    # A subprocess with a generous guard: the defect was a read that never
    # returns, so the guard only turns a hang into a failure.
    proc = subprocess.run(
        [sys.executable, "-m", "govcheck.cli", "validate", "--all", "--repo", str(storage_repo), "--no-run",
         "--format", "json", "--no-cache"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, load_schema("report"))
    for wp_id in ("WP-1-Fifo", "WP-1-Fifo-Folder"):
        unreadable = _rules(report, wp_id).get("packet-unreadable", [])
        assert unreadable and "regular file" in unreadable[0]["message"]


def test_cache_entry_with_a_flipped_byte_is_not_trusted(storage_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    args = ("validate", "--all", "--repo", storage_repo, "--no-run", "--format", "json", "--state-dir", state)
    clean = run_cli(*args).json()
    damaged = 0
    for entry in state.rglob("*.json"):
        data = entry.read_bytes()
        if b"not-required" in data:
            # same length, still valid JSON: only the entry's signature tells
            entry.write_bytes(data.replace(b"not-required", b"not-requirex"))
            damaged += 1
    assert damaged
    again = run_cli(*args)
    assert again.exit_code in (0, 1)
    jsonschema.validate(again.json(), load_schema("report"))
    assert again.json()["packets"] == clean["packets"]
