"""The decoder: BOM, line endings, stray bytes, mojibake, lost characters."""

from __future__ import annotations

import pytest

from govcheck.parse.text import decode, line_breaks, newline_style, normalize_for_matching


def test_bom_and_crlf():
    d = decode(b"\xef\xbb\xbfa\r\nb\r\n")
    assert d.text == "a\nb\n" and d.has_bom and d.newline == "\r\n" and d.issues == ()


def test_mixed_newlines():
    assert decode(b"a\r\nb\nc").newline == "mixed"


@pytest.mark.parametrize("data, text, newline, breaks", [
    (b"a\nb\n", "a\nb\n", "\n", 2),
    (b"a\rb\rc", "a\nb\nc", "\n", 2),  # lone CRs end lines too; no CRLF: "\n"
    (b"a\r\nb\rc\n", "a\nb\nc\n", "mixed", 3),
    (b"a\r\nb\r\n", "a\nb\n", "\r\n", 2),
    (b"no break", "no break", "\n", 0),
])
def test_line_endings_with_and_without_carriage_returns(data, text, newline, breaks):
    d = decode(data)
    assert (d.text, d.newline, newline_style(data), line_breaks(data)) == (text, newline, newline, breaks)
    assert line_breaks(data, 3) == data[:3].count(b"\n") + data[:3].count(b"\r") - data[:4].count(b"\r\n")


def test_stray_cp1252_byte_is_recovered_with_line():
    d = decode(b"one\ntwo \x97 three\n")
    assert d.text == "one\ntwo \u2014 three\n"
    assert [(i.kind, i.line) for i in d.issues] == [("cp1252-byte", 2)]


def test_undefined_byte_is_replaced():
    d = decode(b"ok\nbad \x81 byte\n")
    assert "\ufffd" in d.text
    assert [(i.kind, i.line) for i in d.issues] == [("invalid-utf8", 2)]


def test_truncated_multibyte_sequence():
    d = decode("§".encode()[:1] + b"2.3.12\n")
    assert d.text.endswith("2.3.12\n") and d.issues[0].line == 1


def test_many_invalid_bytes_are_capped_not_slow():
    data = bytes([0x81, 0x41]) * 200_000
    d = decode(data)
    assert len(d.text) >= 200_000
    kinds = [i.kind for i in d.issues]
    assert kinds.count("invalid-utf8") <= 51


def test_mojibake_and_lost_chars_reported_and_matchable():
    text = "per Master Spec v02.90 \u00c2\u00a72.3.12 \u00e2\u20ac\u201d and ??2.6.6\n"
    d = decode(text.encode("utf-8"))
    kinds = {i.kind for i in d.issues}
    assert {"mojibake", "lost-chars"} <= kinds
    assert d.text == text  # the author's text is kept as written
    assert normalize_for_matching(d.text) == "per Master Spec v02.90 \u00a72.3.12 \u2014 and \u00a72.6.6\n"


def test_question_marks_in_prose_are_left_alone():
    assert normalize_for_matching("Why?? Because.") == "Why?? Because."


def test_quick_screen_says_what_the_three_patterns_say():
    """decode() looks line by line only when the text may hold mojibake,
    lost characters or control characters; the quick screen must answer as
    the three patterns do, on valid UTF-8 and on repaired invalid bytes."""
    import random

    from govcheck.parse import text as T

    r = random.Random(5)
    pieces = ["a", " ", "\n", "\r", "?", "??", "???", "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\t", "\u00c3\u00a9",
              "\u00e2\u20ac\u2122", "\u00c2", "\u00f0", "\u00e9", "\u0081", "x1"]

    def expected(t: str) -> bool:
        return bool(T._MOJIBAKE_HINT_RE.search(t) or "??" in t or T._CONTROL_RE.search(t))

    for _ in range(20_000):
        data = "".join(r.choice(pieces) for _ in range(r.randint(0, 12))).encode("utf-8")
        t = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        assert T._worth_a_line_scan(t, data) == expected(t), data
    for _ in range(20_000):
        data = bytes(r.choice([0x41, 0x0A, 0x81, 0xC3, 0xA9, 0x9D, 0x00, 0x3F, 0x7F, 0xE2, 0x80]) for _ in range(r.randint(0, 10)))
        t = T._decode_repairing(data)[0].replace("\r\n", "\n").replace("\r", "\n")
        assert T._worth_a_line_scan(t, data) == expected(t), data
