"""``encoding-invalid``: Bytes that are not UTF-8: an error, or a warning when read as Windows-1252.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import GOOD_GEN2, findings, validate_json, write_packet

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    with_waiver,
)

RULE = "encoding-invalid"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD.encode(), [], id="good-packet-passes"),
        pytest.param(
            GOOD.encode().replace(b"timer that", b"timer \x81 that"), ["invalid UTF-8: byte 0x81"], id="undefined-byte"
        ),
        pytest.param(
            GOOD.encode().replace(b"timer that", b"timer \x97 that"),
            ["stray Windows-1252 byte: byte 0x97"],
            id="windows-1252-dash",
        ),
    ],
)
def test_encoding_invalid(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    def broken(text: str) -> bytes:
        return text.encode().replace(b"timer that", b"timer \x81 that")

    assert check_rule(RULE, broken(GOOD))
    assert_waived(check_rule(RULE, broken(with_waiver(GOOD, RULE))))


# -- from test_rules_hygiene_scan.py: cases on the storage-foundation fixture ---------------------


def test_stray_cp1252_byte_is_read_as_its_character(storage_repo):
    # 0x97 is a Windows-1252 em dash: recovered (a warning), and still not ASCII
    data = GOOD_GEN2.encode("utf-8").replace(b"Leased job queue", b"Leased \x97 job queue")
    write_packet(storage_repo, WP, data)
    _, report = validate_json(storage_repo, WP)
    enc = [f for f in findings(report, WP) if f["rule"] == "encoding-invalid"]
    assert enc and enc[0]["severity"] == "warning" and "U+2014" in enc[0]["message"]
    assert any("U+2014" in f["message"] for f in findings(report, WP) if f["rule"] == "non-ascii")
