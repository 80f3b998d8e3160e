"""Broken packets end in FAIL with a finding naming file and line: never a
crash, never a hang."""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, validate_json, write_packet

WP = "WP-9-Broken"


def _check(repo, content, rule):
    write_packet(repo, WP, content)
    code, report = validate_json(repo, WP)
    assert code == 1
    got = findings(report, WP, rule)
    assert got, findings(report, WP)
    assert all(f["path"].endswith(f"{WP}.md") and f["line"] >= 1 for f in got)
    return got


def test_empty(storage_repo):
    got = _check(storage_repo, b"", "packet-unreadable")
    # one cause, one finding: no pile of "missing field" findings
    assert len(got) == 1


def test_whitespace_only(storage_repo):
    _check(storage_repo, b"  \n\n\t\n", "packet-unreadable")


def test_binary(storage_repo):
    _check(storage_repo, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20, "packet-unreadable")


def test_invalid_utf8_is_reported_with_line_and_rest_still_checked(storage_repo):
    # 0x81 and 0x8D are not Windows-1252 characters either: replaced, an error
    data = GOOD_GEN2.encode("utf-8").replace(b"Leased job queue", b"Leased \x81\x8d job queue")
    got = _check(storage_repo, data, "encoding-invalid")
    assert got[0]["line"] == 18
    # the packet was still parsed: its fields are there, nothing else fails
    _, report = validate_json(storage_repo, WP)
    assert {f["rule"] for f in findings(report, WP)} == {"encoding-invalid"}


def test_unterminated_fence(storage_repo):
    text = GOOD_GEN2.replace("python3 src/jobs/check_queue.py\n```\n", "python3 src/jobs/check_queue.py\n")
    got = _check(storage_repo, text, "markdown-malformed")
    assert got[0]["line"] == 30
    assert "swallows" in got[0]["message"]
    # repaired: DONE_MEANS and ROLLBACK_HINT are still found
    assert {f["rule"] for f in findings(validate_json(storage_repo, WP)[1], WP)} == {"markdown-malformed"}


def test_ten_megabyte_line(storage_repo):
    text = GOOD_GEN2 + "\n" + ("x" * (10 * 1024 * 1024)) + "\n"
    got = _check(storage_repo, text, "markdown-malformed")
    assert got[0]["line"] == GOOD_GEN2.count("\n") + 2


def test_three_thousand_nested_bullets(storage_repo):
    nested = "".join("  " * i + "- level\n" for i in range(3000))
    text = GOOD_GEN2 + "\n## NOTES\n" + nested
    got = _check(storage_repo, text, "markdown-malformed")
    assert "nesting" in got[0]["message"]


@pytest.mark.parametrize("bom,newline", [(True, "\r\n"), (False, "\r\n"), (True, "\n")])
def test_bom_and_crlf_parse_like_plain(storage_repo, bom, newline):
    data = GOOD_GEN2.replace("\n", newline).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    write_packet(storage_repo, "WP-1-Job-Queue-v2", data)
    code, report = validate_json(storage_repo, "WP-1-Job-Queue-v2")
    assert code == 0, findings(report)
