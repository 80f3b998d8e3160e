"""``encoding-invalid``: Bytes that are not UTF-8: an error, or a warning when read as Windows-1252.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import GOOD, assert_findings, assert_waived, check_rule, with_waiver

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
    broken = GOOD.replace("## SCOPE", "## SCOPE\n- note: pending").encode().replace(b"pending", b"pending \x81")
    assert check_rule(RULE, broken)
    assert_waived(
        check_rule(
            RULE, with_waiver(broken.decode("utf-8", "replace"), RULE).encode().replace("\ufffd".encode(), b"\x81")
        )
    )
