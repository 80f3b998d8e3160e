"""Hostile packets (packets come from untrusted pull requests): the linear
scans that replaced quadratic regexes give the same answers, and input
beyond the parser's limits becomes a finding with file and line, never a
crash. (Speed is measured in bench/hostile_inputs.py, not here.)"""

from __future__ import annotations

import random
import re
import sys

import pytest
from conftest import FIXTURES, GOOD_GEN2, copy_fixture, findings, validate_json, write_packet

from govcheck.parse import packet as P

WP = "WP-9-Hostile"


def _random_lines(rng: random.Random, limit: int) -> str:
    # Lengths cluster around the limit: equal, one over, one under, and
    # blank lines, with CR and spaces that are not line breaks here.
    parts = []
    for _ in range(rng.randint(0, 6)):
        n = rng.choice([0, 1, limit - 1, limit, limit + 1, limit + 2, rng.randint(0, 2 * limit)])
        parts.append("".join(rng.choice("ab \t\r-*") for _ in range(n)))
    return "\n".join(parts) + rng.choice(["", "\n", "\n\n"])


def test_long_line_scan_agrees_with_the_regex_it_replaced():
    limit = 40  # the old pattern, at a limit small enough to try many texts
    old = re.compile(r"[^\n]{%d}" % (limit + 1))
    rng = random.Random(7)
    seen = set()
    for _ in range(3000):
        text = _random_lines(rng, limit)
        expected = old.search(text) is not None
        assert P._has_long_line(text.split("\n"), limit) is expected, repr(text)
        seen.add(expected)
    assert seen == {True, False}


@pytest.mark.parametrize("length,long", [(P._MAX_PARSED_LINE, False), (P._MAX_PARSED_LINE + 1, True)])
def test_long_line_at_the_real_limit(length, long):
    text = "# T\n\n" + "x" * length + "\n- item\n"
    assert P._has_long_line(text.split("\n")) is long
    tokens, skipped = P._tokenize(text)
    assert skipped == ([3] if long else [])
    assert tokens  # the rest is still parsed


# -- size limits ---------------------------------------------------------------


def _parse(data: bytes, **limits) -> object:
    return P.parse_packet(data, packet_id="WP-1-X", path="WP-1-X.md", **limits)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_packet_over_the_byte_limit_is_one_issue_naming_the_line(newline):
    data = newline.join(b"line %d" % n for n in range(1, 101)) + newline
    # "line 1" .. "line 9" and their breaks come first; the limit falls
    # inside line 10.
    head = sum(len(b"line %d" % n) + len(newline) for n in range(1, 10))
    packet = _parse(data, max_bytes=head + 2)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("unreadable", 10)]
    assert "too large" in packet.parse_issues[0].detail
    assert packet.fields == () and packet.line_count == 101
    assert _parse(data, max_bytes=len(data)).parse_issues == ()


def test_limit_between_cr_and_lf_names_the_line_the_crlf_ends():
    data = b"a\r\nb\r\nc\r\n"
    # The first byte past the limit: the CR ending line 2, the LF after
    # it (the limit splits the CRLF), then the "c" of line 3.
    assert [_parse(data, max_bytes=n).parse_issues[0].line for n in (4, 5, 6)] == [2, 2, 3]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_packet_over_the_line_limit(newline):
    lines = [b"- item"] * 30
    packet = _parse(newline.join(lines), max_lines=29)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("unreadable", 30)]
    assert "30 lines" in packet.parse_issues[0].detail
    # A final line break ends the last line; it does not add one.
    assert _parse(newline.join(lines) + newline, max_lines=30).parse_issues == ()


def test_packet_over_the_default_line_limit_gets_only_that_finding(storage_repo):
    text = GOOD_GEN2 + "\n## NOTES\n" + "- item\n" * P.MAX_PACKET_LINES
    write_packet(storage_repo, WP, text)
    code, report = validate_json(storage_repo, WP)
    assert code == 1
    got = findings(report, WP)
    assert [(f["rule"], f["line"]) for f in got] == [("packet-unreadable", P.MAX_PACKET_LINES + 1)]
    assert got[0]["path"].endswith(f"{WP}.md") and "too long to check" in got[0]["message"]


# -- packet.json ---------------------------------------------------------------


JSON_WP = "WP-3-Contract-Packet"


def _json_repo(tmp_path, text: str):
    repo = copy_fixture(FIXTURES / "layout-json", tmp_path / "r")
    (repo / f".GOV/task_packets/{JSON_WP}/packet.json").write_text(text)
    return repo


@pytest.mark.parametrize("prefix,line", [("", 1), ('{\n  "scope": {\n    "spec_anchors":\n', 4)])
def test_deeply_nested_packet_json_is_a_finding_not_a_crash(tmp_path, prefix, line):
    # packet.json is the contract (parse/contract.py): contract-invalid names
    # the line where the nesting goes deeper than the JSON reader follows.
    depth = 100_000
    repo = _json_repo(tmp_path, prefix + "[" * depth + "]" * depth)
    code, report = validate_json(repo, JSON_WP)
    assert code == 1
    got = findings(report, JSON_WP, "contract-invalid")
    assert [(f["path"], f["line"]) for f in got] == [(f".GOV/task_packets/{JSON_WP}/packet.json", line)]
    assert got[0]["data"]["kind"] == "too-deep"
    assert got[0]["message"].startswith(f"line {line} column ")
    assert f"more than {sys.getrecursionlimit():,} levels deep" in got[0]["message"]


def test_json_nesting_scan_skips_brackets_in_strings():
    from govcheck.parse.json_source import nesting_depth

    assert nesting_depth('{"a": "[[[\\"[[", "b": [\n[1]]}') == (3, 2, 1)
    assert nesting_depth('"unterminated [[[\n[[') == (2, 2, 2)
    assert nesting_depth("[\n[\n[[\n[[[", stop_above=3) == (4, 3, 2)


def test_packet_json_over_the_byte_limit(tmp_path):
    packet = _parse(b"# WP-1-X\n", packet_json=b'{"a": "' + b"x" * 100 + b'"}', max_bytes=50)
    assert [(i.kind, i.line) for i in packet.parse_issues] == [("packet-json-invalid", 1)]


# -- linear rewrites agree with the quadratic originals -------------------------
#
# Each pattern or loop below was rewritten so that no input makes it
# quadratic; the originals are kept here, and both run on random strings
# built from the pieces that exercise them (and on which the originals
# back-track the most).


def _texts(pieces, n=1500, most=14, seed=1):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))


def _spans(matches):
    return [(m.span(), m.groups()) for m in matches]


def test_verdict_pattern_matches_what_the_original_matched():
    old = re.compile(r"^\W*(?:\*\*)?\s*verdict\s*(?:\*\*)?\s*:\s*(?:\*\*)?\s*\[?(PASS|FAIL|OUTDATED_ONLY)\b", re.I)
    filler = [" ", "\t", "*", "**", "-", "#", "x", ""]
    rng = random.Random(2)
    hits = 0
    for _ in range(4000):
        parts = [rng.choice(filler) for _ in range(rng.randint(0, 3))]
        parts += [rng.choice(["verdict", "VERDICT", "Verdict", "verdic"])] + [rng.choice(filler + [":"]) for _ in range(rng.randint(0, 3))]
        parts += [rng.choice([":", ":", ""])] + [rng.choice(filler + ["["]) for _ in range(rng.randint(0, 3))]
        parts += [rng.choice(["PASS", "fail", "OUTDATED_ONLY", "PASSED", ""])] + [rng.choice(filler)]
        text = "".join(parts)
        a, b = old.match(text), P._VERDICT_RE.match(text)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), repr(text)
        hits += a is not None
    assert hits > 20


def test_anchor_pattern_matches_what_the_original_matched():
    sid = r"\d{1,3}(?:\.\d{1,4})+"
    old = re.compile(
        rf"(?:(?<=[^\w.])|^)(?:\u00a7\s?|A(?=\d+\.))?(?P<start>{sid})(?![\w.]*\.md)(?!\.?\d)"
        rf"(?:\s*(?:-|\u2013|\.\.|to)\s*(?:\u00a7\s?|A)?(?P<end>{sid})(?!\.?\d))?"
    )
    pieces = ["1", "12", "1234", "12345", ".", "..", ".md", "md", " ", "A", "\u00a7", "-", "\u2013", "to", "x", "_", "(",
              " 1.2", "1.2.3", " 2.3.12", " A1.2", "\u00a72.3", " - ", " to ", "..4.5"]
    found = 0
    for text in _texts(pieces, 4000):
        expected = _spans(old.finditer(text))
        assert _spans(P._ANCHOR_RE.finditer(text)) == expected, repr(text)
        found += len(expected)
    assert found > 500


def test_spec_current_path_is_the_original_search():
    old = re.compile(r"[\w./-]*SPEC_CURRENT(?:\.md)?", re.I)
    pieces = ["SPEC_CURRENT", "spec_Current", ".md", ".MD", "a", "/", ".", "-", " ", "\u017f", "x!", "SPEC"]
    found = 0
    for text in _texts(pieces, 3000, 8):
        a, b = old.search(text), P._spec_current_path(text)
        assert (a and a.span()) == (b and b.span()), repr(text)
        found += a is not None
    assert found > 500


def test_waiver_head_pattern_matches_what_the_original_matched():
    old = re.compile(r"^`?([A-Za-z][\w.-]*[\d-][\w.-]*)`?\s*(?::\s*|\s+|$)(.*)$")
    pieces = ["a", "Ab", "1", "-", ".", "_", "`", ":", " ", "!", "x", "W-1"]
    found = 0
    for text in _texts(pieces, 4000, 8):
        a, b = old.match(text), P._WAIVER_ID_HEAD_RE.match(text)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), repr(text)
        found += a is not None
    assert found > 300


def test_evidence_paths_are_what_finditer_found():
    old = re.compile(r"`?([\w./@+-]+\.[\w]+):(\d+)(?:-(\d+))?`?")
    pieces = ["a", "/", ".", "@", "+", "-", ":", "1", "12", "`", " ", "x.py", "\u00e9", "py",
              "a.py:12", "src/x.rs:3-4", "`b.md:7`", ":5", "-6"]
    found = 0
    for text in _texts(pieces, 4000):
        expected = [m.group(0).strip("`") for m in old.finditer(text)]
        assert P._evidence_paths(text) == expected, repr(text)
        found += len(expected)
    assert found > 300


def test_dropping_bracketed_text_is_the_original_substitution():
    for text in _texts(["[", "]", "(", ")", "a", " ", "\n"], 4000, 10):
        assert P._drop_bracketed(text) == re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text), repr(text)


def test_section_ends_are_the_original_look_ahead():
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice(["#" * rng.randint(1, 6) + " H\n", "text\n", "\n", "- item\n"]) for _ in range(25))
        doc = P._Doc(text)
        sections = P._sections(P._md.parse(text), doc)
        heads = [(s.title, s.level, s.line) for s in sections]
        for k, (title, level, line) in enumerate(heads):
            end = next((line2 - 1 for _, level2, line2 in heads[k + 1:] if level2 <= level), len(doc.lines))
            assert sections[k].end_line == end, text


def test_status_is_the_first_candidate_of_the_first_metadata_section():
    from govcheck.model import Section

    rng = random.Random(5)
    for _ in range(500):
        lines = sorted(rng.sample(range(1, 60), 8))
        nodes = [P.FieldNode(rng.choice(["STATUS", "WP_STATUS", "OTHER"]), rng.choice(["Ready", "", "**"]), ln, ln + 1, ln, "item")
                 for ln in lines]
        sections = []
        for _ in range(rng.randint(0, 4)):
            a = rng.randint(1, 59)
            sections.append(Section(title=rng.choice(["METADATA", "Status", "Notes"]), level=2, line=a, end_line=a + rng.randint(0, 15)))
        meta = [s for s in sections if P._canonical_name(s.title) in ("METADATA", "META_DATA", "STATUS")]
        candidates = [n for n in nodes if n.name in P._STATUS_NAMES and n.value.strip(" *")]
        expected = next((n.line for s in meta for n in candidates if s.line <= n.line <= s.end_line), None)
        if expected is None:
            expected = next((n.line for n in candidates), None)
        got = P._status(nodes, sections)
        assert (got and got.line) == expected


def _old_repair_mangled_fences(text):
    # The loop before the look-ahead was remembered (packet.py at fd54361).
    lines = text.split("\n")
    issues = []
    i = 0
    while i < len(lines):
        if "`" not in lines[i] and "~" not in lines[i]:
            i += 1
            continue
        fence = P._FENCE_RE.match(lines[i])
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            char, length = fence.group(2)[0], len(fence.group(2))
            close = P._fence_close(lines, i + 1, char, length)
            if close is None:
                lone = next((j for j in range(i + 1, len(lines)) if P._MANGLED_FENCE_CLOSE_RE.match(lines[j])), None)
                if lone is None:
                    break
                lines[lone] = P._MANGLED_FENCE_CLOSE_RE.match(lines[lone]).group(1) + char * length
                issues.append(("unterminated-fence", i + 1, lone))
                close = lone
            swallowed = P._swallowed_structure(lines, i + 1, close, fence.group(3))
            if swallowed is not None:
                blank = next((j for j in range(swallowed - 1, i, -1) if not lines[j].strip()), None)
                if blank is not None:
                    lines[blank] = fence.group(1) + char * length
                    close = blank
                issues.append(("unterminated-fence", i + 1, swallowed))
            i = close + 1
            continue
        m = P._MANGLED_FENCE_OPEN_RE.match(lines[i])
        if m:
            for j in range(i + 1, min(len(lines), i + 400)):
                if P._FENCE_RE.match(lines[j]):
                    break
                c = P._MANGLED_FENCE_CLOSE_RE.match(lines[j])
                if c:
                    lines[i] = f"{m.group(1)}```bash"
                    lines[j] = f"{c.group(1)}```"
                    issues.append(("mangled-fence", i + 1, j))
                    i = j
                    break
        i += 1
    return "\n".join(lines), [(kind, line) for kind, line, _ in issues]


def test_fence_repair_is_the_original_loop():
    pieces = ["`ash", "`\x08ash", "`", "  `", "```", "```bash", "~~~", "## H", "", "text", "```py", "# c"]
    rng = random.Random(11)
    repaired = 0
    for _ in range(3000):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        new_text, issues = P._repair_mangled_fences(text)
        expected = _old_repair_mangled_fences(text)
        assert (new_text, [(i.kind, i.line) for i in issues]) == expected, repr(text)
        repaired += bool(expected[1])
    assert repaired > 300
    # Openers more than 400 lines before their lone backtick are left alone.
    for gap in (398, 399):
        text = "`ash\n" + "x\n" * gap + "`"
        assert P._repair_mangled_fences(text)[0] == _old_repair_mangled_fences(text)[0]
        assert (P._repair_mangled_fences(text)[0] != text) is (gap == 398)


def _old_decode_repairing(data, most):
    # text.py's loop before the error handler: decode the rest again after
    # each invalid byte.
    from govcheck.parse.text import _cp1252

    parts, repairs, pos = [], [], 0
    while pos < len(data):
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            parts.append(data[pos: pos + exc.start].decode("utf-8"))
            at = pos + exc.start
            byte = data[at]
            if len(repairs) >= most:
                parts.append(data[at:].decode("utf-8", errors="replace"))
                repairs.append((at, "invalid-utf8", "too many invalid bytes; the rest was decoded with replacement"))
                break
            char = _cp1252(byte)
            if char is not None and byte >= 0x80:
                parts.append(char)
                repairs.append((at, "cp1252-byte", f"byte 0x{byte:02X} is not UTF-8; read as Windows-1252 {char!r} (U+{ord(char):04X})"))
            else:
                parts.append("\ufffd")
                repairs.append((at, "invalid-utf8", f"byte 0x{byte:02X} replaced"))
            pos = at + 1
    return "".join(parts), repairs


@pytest.mark.parametrize("most", [3, 1000])
def test_decode_repairs_are_the_original_ones(monkeypatch, most):
    from govcheck.parse import text as T

    monkeypatch.setattr(T, "_MAX_REPAIRS", most)
    pieces = [b"a", b"\n", b"\x97", b"\x81", b"\xc3", b"\xa9", b"\xe2\x82", b"\xe2\x82\xac", b"\xf0\x9f", b"\xff", b"\xed\xa0\x80"]
    rng = random.Random(13)
    for _ in range(2000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert T._decode_repairing(data) == _old_decode_repairing(data, most), data


def test_decode_names_the_line_of_each_repair():
    from govcheck.parse.text import decode

    data = b"ok\nbad \x97\nok\n\nbad \x81 and \x97\n"
    assert [(i.kind, i.line) for i in decode(data).issues] == [
        ("cp1252-byte", 2), ("invalid-utf8", 5), ("cp1252-byte", 5)]


def test_spec_list_items_read_numbered_headings_as_before():
    # SpecIndex.list_item matched the lazy pattern (quadratic on a heading
    # padded with spaces); it now uses the scan's, for the same number.
    from govcheck.parse.spec import _NUMBERED_SCAN_RE

    old = re.compile(rb"^(#{1,6})[ \t]+(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*?))?[ \t]*\r?$")
    found = 0
    for k, text in enumerate(_texts(["#", "##", " ", "\t", "1", "2.3", ".", "\r", "a", "x y"], 4000, 8)):
        raw = (["", "# ", "## 1", "####### 1 "][k % 4] + text).encode()
        a, b = old.match(raw), _NUMBERED_SCAN_RE.match(raw)
        assert (a and a.group(2)) == (b and b.group(2)), raw
        found += a is not None
    assert found > 100


def test_spec_section_ends_are_the_original_stack_scan():
    from govcheck.parse.spec import build_index, iter_headings

    rng = random.Random(17)
    numbers = ["1", "1.1", "1.1.1", "1.2", "2", "2.1", "2.1.1", "1.1.1.1", "3"]
    for _ in range(400):
        lines = []
        for _ in range(rng.randint(0, 20)):
            hashes = "#" * rng.randint(1, 6)
            lines.append(rng.choice([f"{hashes} {rng.choice(numbers)} T", f"{hashes} T", "text"]))
        data = "\n".join(lines).encode()
        headings = list(iter_headings(data))
        total = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        # build_index before the per-level lists: every open section tested at every heading.
        stack, ends = [], {}
        for idx, (line, start, level, number, _) in enumerate(headings):
            num = number.decode() if number is not None else None
            keep = []
            for e_level, e_prefix, e_idx in stack:
                if level <= e_level and not (num is not None and num.startswith(e_prefix)):
                    ends[e_idx] = (line - 1, start)
                else:
                    keep.append((e_level, e_prefix, e_idx))
            stack = keep
            if num is not None:
                stack.append((level, num + ".", idx))
        for _, _, e_idx in stack:
            ends[e_idx] = (total, len(data))
        index = build_index(data)
        got = [(s.line, s.end_line, s.end) for s in index.sections + index.duplicates]
        expected = [(headings[i][0], max(headings[i][0], ends[i][0]), max(ends[i][1], headings[i][1]))
                    for i in sorted(ends)]
        assert sorted(got) == sorted(expected), data


def _old_list_item(ix, data, sid):
    # SpecIndex.list_item before its items were read once per section.
    from govcheck.parse.spec import _NUMBERED_SCAN_RE

    parent_id, _, n = sid.rpartition(".")
    parent = ix.lookup(parent_id)
    if ix.lookup(sid) is not None or parent is None:
        return None
    fence, skip_until, started, foreign = None, 0, False, False
    prefix = (parent.id + ".").encode()
    for offset, raw in enumerate(data[parent.start: parent.end].split(b"\n")):
        line = parent.line + offset
        if line <= skip_until:
            continue
        stripped = raw.lstrip(b" ")
        if stripped[:3] in (b"```", b"~~~"):
            fence = None if fence else stripped[:3]
            continue
        if fence is not None:
            continue
        if offset and raw.startswith(b"#"):
            m = _NUMBERED_SCAN_RE.match(raw)
            if m and (m.group(2) + b".").startswith(prefix):
                sub = ix.lookup(m.group(2).decode("ascii"))
                skip_until = sub.end_line if sub is not None and sub.line == line else line
                continue
            foreign = True
            continue
        m = re.match(rb"^(\d{1,3})[.)][ \t]+(.*?)\r?$", raw)
        if m and not (foreign and not started):
            started = True
            if m.group(1).decode() == n:
                return line, m.group(2).decode("utf-8", "replace").strip()
    return None


def test_spec_list_items_are_the_ones_found_before():
    from govcheck.parse.spec import build_index

    rng = random.Random(19)
    pieces = ["1. a", "2) b", "3. c", "1. again", "#### 7.6.3.1 Sub", "#### 11.7.5 Stray", "```", "text", "", "### 7.6.4 Next"]
    found = 0
    for _ in range(300):
        data = ("## 7.6 Top\n### 7.6.3 Own\n" + "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))).encode()
        ix = build_index(data)
        for sid in ("7.6.3.1", "7.6.3.2", "7.6.3.3", "7.6.4.1", "7.6.1", "7.6.3.9"):
            expected = _old_list_item(ix, data, sid)
            assert ix.list_item(data, sid) == expected, (data, sid)
            found += expected is not None
    assert found > 150


@pytest.mark.parametrize("data,kind,line", [(b'{\n  "lifecycle": {\n    "status": x\n}}', "invalid-json", 3),
                                            (b"[]", "not-object", 1), (b'{"a":\n"\xff"}', "invalid-utf8", 2)])
def test_invalid_packet_json_names_its_line(data, kind, line):
    # An invalid packet.json is a problem of the contract (contract-invalid
    # reports it), not a parse issue of the packet.
    packet = _parse(b"# WP-1-X\n", packet_json=data)
    assert packet.parse_issues == ()
    assert [(p.kind, p.line) for p in packet.contract.problems][:1] == [(kind, line)]
