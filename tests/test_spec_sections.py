"""Spec section index, section diff, changed anchored sections, reanchor."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import CORPUS, GOOD_GEN2, STORAGE, findings, needs_corpus, run_cli, validate_json, write_packet

from govcheck.parse.spec import build_index

SPEC = b"""# Title

## Intro (not numbered)

# 1. One

## 1.1 First

Text of 1.1.

### 1.1.1 Deep

```markdown
## 1.2 Inside a fence: not a heading
```

## 1.2. Second (trailing dot)

##### 1.2.1 Five hashes

##### 1.2.1.1 Same level, numbered beneath: still inside 1.2.1

##### 1.2.2 Sibling

~~~
# 9 tilde fence
~~~

# 2. Two

## Appendix

## 1.1 Repeated number
"""


def test_index_headings_ranges_fences_and_duplicates():
    ix = build_index(SPEC)
    assert ix.ids() == ["1", "1.1", "1.1.1", "1.2", "1.2.1", "1.2.1.1", "1.2.2", "2"]
    lines = SPEC.split(b"\n")
    s11 = ix.lookup("1.1")
    assert (s11.line, s11.end_line) == (7, 16)
    assert SPEC[s11.start : s11.end].startswith(b"## 1.1 First\n")
    assert SPEC[s11.start : s11.end].endswith(b"```\n\n")
    # 1.2.1 includes 1.2.1.1 though both have five '#'
    s121 = ix.lookup("1.2.1")
    assert s121.end_line == ix.lookup("1.2.2").line - 1
    assert ix.lookup("1.2").title == "Second (trailing dot)"
    # an unnumbered heading of the same level ends a section
    assert ix.lookup("2").end_line == ix.line_count == len(lines) - 1  # '## Appendix' is lower than '#'
    assert [d.id for d in ix.duplicates] == ["1.1"]
    assert ix.lookup("9") is None
    assert ix.expand_range("1.1", "1.2") == ["1.1", "1.2"]
    assert ix.expand_range("1.2", "1.1") == []


def test_crlf_spec_indexes_like_lf():
    a = build_index(SPEC)
    b = build_index(SPEC.replace(b"\n", b"\r\n"))
    assert a.ids() == b.ids()
    assert [(s.line, s.end_line) for s in a.sections] == [(s.line, s.end_line) for s in b.sections]


def test_spec_diff_cli_on_fixture():
    res = run_cli("spec", "diff", "02.90", "v02.93", "--repo", STORAGE, "--format", "json")
    assert res.exit_code == 0, res.stderr
    status = {s["id"]: s["status"] for s in res.json()["sections"]}
    assert status["2.3.12"] == "changed"
    assert status["4.2"] == "unchanged"
    assert status["11.7.4"] == "unchanged"
    assert status["4.3"] == "added"
    assert res.json()["duplicates"]["02.93"] == [{"id": "4.2", "line": 57}]
    text = run_cli("spec", "diff", "02.90", "02.93", "--repo", STORAGE).stdout
    assert "v02.93: 1 repeated section number(s), first occurrence used: 4.2 (line 57)" in text
    one = run_cli("spec", "diff", "02.90", "02.93", "--section", "2.3.12", "--repo", STORAGE)
    assert "+Every migration must run unchanged on all three supported databases," in one.stdout


def test_spec_show_and_unknown_version():
    res = run_cli("spec", "show", "4.2", "--repo", STORAGE)
    assert res.exit_code == 0 and res.stdout.startswith("## 4.2 Job queue")
    bad = run_cli("spec", "show", "4.2", "--version", "02.11", "--repo", STORAGE)
    assert bad.exit_code == 2 and "v02.11" in bad.stderr
    nosec = run_cli("spec", "show", "42.42", "--repo", STORAGE)
    assert nosec.exit_code == 2


def test_stale_finding_lists_changed_sections_and_report_shows_diff():
    _, report = validate_json(STORAGE, "WP-1-Storage-Foundation")
    stale = findings(report, rule="spec-stale")[0]
    assert stale["data"]["changed_sections"] == ["2.3.12"]  # 11.7.4 did not change
    res = run_cli("validate", "WP-1-Storage-Foundation", "--repo", STORAGE, "--no-run")
    assert "Anchored sections changed (v02.90 -> v02.93):" in res.stdout
    assert "```diff" in res.stdout


def _old_anchor_packet(repo, section="4.2 (Job queue)"):
    text = GOOD_GEN2.replace("v02.93.md", "v02.90.md").replace("4.2 (Job queue)", section)
    return write_packet(repo, "WP-1-Job-Queue-v2", text)


def test_unchanged_anchor_gives_empty_list_and_reanchor_moves_it(storage_repo):
    path = _old_anchor_packet(storage_repo)
    before = path.read_bytes()
    _, report = validate_json(storage_repo, "WP-1-Job-Queue-v2")
    stale = findings(report, rule="spec-stale")[0]
    assert stale["data"]["changed_sections"] == []
    dry = run_cli("reanchor", "WP-1-Job-Queue-v2", "--dry-run", "--repo", storage_repo)
    assert dry.exit_code == 0 and "+- SPEC_ANCHOR: Handshake_Master_Spec_v02.93.md 4.2" in dry.stdout
    assert path.read_bytes() == before
    res = run_cli("reanchor", "WP-1-Job-Queue-v2", "--repo", storage_repo)
    assert res.exit_code == 0, res.stderr
    after = path.read_bytes()
    # only the two pointer lines changed, then a note was appended
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    diff = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert [i + 1 for i in diff] == [46, 48]
    assert b"## SPEC REANCHOR" in after and b"Checked unchanged" in after
    code, report = validate_json(storage_repo, "WP-1-Job-Queue-v2")
    assert code == 0, findings(report)
    again = run_cli("reanchor", "WP-1-Job-Queue-v2", "--repo", storage_repo)
    assert again.exit_code == 0 and "already anchored" in again.stderr and path.read_bytes() == after


def test_changed_anchor_is_listed_and_reanchor_refuses(storage_repo):
    path = _old_anchor_packet(storage_repo, "4.2 (Job queue) and 2.3.12")
    before = path.read_bytes()
    _, report = validate_json(storage_repo, "WP-1-Job-Queue-v2")
    assert findings(report, rule="spec-stale")[0]["data"]["changed_sections"] == ["2.3.12"]
    res = run_cli("reanchor", "WP-1-Job-Queue-v2", "--repo", storage_repo)
    assert res.exit_code == 1
    assert "2.3.12" in res.stderr
    assert path.read_bytes() == before


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_old_spec_only_in_git_history(storage_repo):
    _git(storage_repo, "init", "-q")
    _git(storage_repo, "add", "-A")
    _git(storage_repo, "commit", "-q", "-m", "fixture")
    _git(storage_repo, "rm", "-q", ".GOV/operator/Handshake_Master_Spec_v02.90.md")
    _git(storage_repo, "commit", "-q", "-m", "drop old spec")
    _, report = validate_json(storage_repo, "WP-1-Storage-Foundation")
    stale = findings(report, rule="spec-stale")[0]
    assert stale["data"]["changed_sections"] == ["2.3.12"]
    assert stale["data"]["old_spec_source"].startswith("git ")


def test_old_spec_nowhere_gives_null(storage_repo):
    (storage_repo / ".GOV/operator/Handshake_Master_Spec_v02.90.md").unlink()
    _, report = validate_json(storage_repo, "WP-1-Storage-Foundation")
    stale = findings(report, rule="spec-stale")[0]
    assert stale["data"]["changed_sections"] is None
    assert "unknown" in stale["message"]


# -- the real specs ------------------------------------------------------------------

_H = re.compile(r"^(#{1,6})(?:[ \t]+(\d+(?:\.\d+)*)\.?(?=[ \t]|$))?(?:[ \t].*)?$")


def _independent_split(text: str) -> dict[str, str]:
    """A second, deliberately plain implementation of the section rule:
    for each numbered heading, walk forward to the first heading of the
    same or higher level that is not numbered beneath it."""
    lines = text.replace("\r\n", "\n").split("\n")
    heads = []
    fence = None
    for i, line in enumerate(lines):
        s = line[: len(line) - len(line.lstrip(" "))]
        st = line.lstrip(" ")
        if len(s) <= 3 and (st.startswith("```") or st.startswith("~~~")):
            ch = st[0]
            run = len(st) - len(st.lstrip(ch))
            if fence is None:
                if not (ch == "`" and "`" in st[run:]):
                    fence = (ch, run)
            elif ch == fence[0] and run >= fence[1] and not st[run:].strip():
                fence = None
            continue
        if fence is None and line.startswith("#"):
            m = _H.match(line)
            if m:
                heads.append((i, len(m.group(1)), m.group(2)))
    out: dict[str, str] = {}
    for k, (i, level, num) in enumerate(heads):
        if num is None or num in out:
            continue
        end = len(lines)
        for j, level2, num2 in heads[k + 1 :]:
            if level2 <= level and not (num2 and num2.startswith(num + ".")):
                end = j
                break
        body = [ln.rstrip() for ln in lines[i:end]]
        while body and not body[-1]:
            body.pop()
        out[num] = "\n".join(body)
    return out


@needs_corpus
def test_corpus_spec_diff_agrees_with_independent_split():
    old = (CORPUS / ".GOV/operator/Handshake_Master_Spec_v02.122.md").read_text(encoding="utf-8", errors="replace")
    new = (CORPUS / "Handshake_Master_Spec_v02.123.md").read_text(encoding="utf-8", errors="replace")
    a, b = _independent_split(old), _independent_split(new)
    expected = {}
    for sid in b:
        expected[sid] = "added" if sid not in a else ("unchanged" if a[sid] == b[sid] else "changed")
    for sid in a:
        expected.setdefault(sid, "removed")
    res = run_cli("spec", "diff", "02.122", "02.123", "--repo", CORPUS, "--format", "json")
    assert res.exit_code == 0
    got = {s["id"]: s["status"] for s in res.json()["sections"]}
    assert got == expected
    # pinned real sections
    for sid in ("2.3.15.1", "7.5.4.1", "8.6.2.13", "11.3.7"):
        assert got[sid] == "changed", sid
    for sid in ("2.3.12", "11.7.4", "1.1.1", "9.1.2"):
        assert got[sid] == "unchanged", sid
    assert got["8.6.8"] == "added"
    assert len(got) > 1700


@needs_corpus
def test_corpus_specs_anchor_and_reanchor(tmp_path):
    repo = tmp_path / "r"
    (repo / ".GOV/operator").mkdir(parents=True)
    (repo / ".GOV/roles_shared").mkdir(parents=True)
    shutil.copy(CORPUS / "Handshake_Master_Spec_v02.123.md", repo)
    shutil.copy(CORPUS / ".GOV/operator/Handshake_Master_Spec_v02.122.md", repo / ".GOV/operator")
    (repo / ".GOV/roles_shared/SPEC_CURRENT.md").write_text("# SPEC_CURRENT\n\n**Handshake_Master_Spec_v02.123.md**\n")
    base = GOOD_GEN2.replace("v02.93.md", "v02.122.md")
    write_packet(repo, "WP-1-Job-Queue-v2", base.replace("4.2 (Job queue)", "2.3.12 and 11.7.4"))
    write_packet(repo, "WP-1-Changed-v2", base.replace("4.2 (Job queue)", "2.3.12 and 7.5.4.1").replace("WP-1-Job-Queue-v2", "WP-1-Changed-v2"))
    _, report = validate_json(repo, "WP-1-Job-Queue-v2", "WP-1-Changed-v2")
    by = {p["id"]: p for p in report["packets"]}
    stale_a = [f for f in by["WP-1-Job-Queue-v2"]["findings"] if f["rule"] == "spec-stale"][0]
    stale_b = [f for f in by["WP-1-Changed-v2"]["findings"] if f["rule"] == "spec-stale"][0]
    assert stale_a["data"]["changed_sections"] == []
    assert stale_b["data"]["changed_sections"] == ["7.5.4.1"]
    assert run_cli("reanchor", "WP-1-Job-Queue-v2", "--repo", repo).exit_code == 0
    refused = run_cli("reanchor", "WP-1-Changed-v2", "--repo", repo)
    assert refused.exit_code == 1 and "7.5.4.1" in refused.stderr
