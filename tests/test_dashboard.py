"""The HTML dashboard (govcheck/report/html.py) without a browser: the
file it writes, what it holds, and that hostile packet text stays text.
The browser tests (sorting, filtering, the detail view) are in
test_dashboard_browser.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, STORAGE, run_cli

from govcheck.engine.validate import ValidateOptions, validate
from govcheck.model import Report
from govcheck.report import FORMATS
from govcheck.report import html as dashboard
from govcheck.report.html import versions_behind

HOSTILE_TITLE = "</script><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> & \u2028 <!--"


def report_of(repo: Path) -> Report:
    return validate(repo, ValidateOptions(all_packets=True, no_run=True))


class _Collect(HTMLParser):
    """Tags, attributes and scripts of a page, as a browser's tokenizer
    would split them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(page: str) -> _Collect:
    c = _Collect()
    c.feed(page)
    return c


def _hostile_repo(storage_repo: Path) -> Path:
    packet = storage_repo / ".GOV" / "task_packets" / "WP-1-Storage-Foundation.md"
    text = packet.read_text(encoding="utf-8")
    packet.write_text(text.replace("# Task Packet: WP-1-Storage-Foundation", f"# {HOSTILE_TITLE}", 1),
                      encoding="utf-8")
    return storage_repo


def test_html_is_a_registered_format_and_a_cli_choice(tmp_path: Path):
    assert FORMATS["html"] == "govcheck.report.html"
    out = tmp_path / "dash.html"
    result = run_cli("validate", "--all", "--no-run", "--repo", STORAGE, "--format", f"html:{out}")
    assert result.exit_code == 0, result.stderr  # the fixture: one PASS, one OUTDATED (a stale Done packet)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "WP-1-Storage-Foundation" in page and "WP-1-Job-Queue-v2" in page


def test_dashboard_loads_nothing_from_outside_the_file():
    page = dashboard.render(report_of(STORAGE))
    doc = parse(page)
    for tag, attrs in doc.tags:
        assert not attrs.get("src"), f"<{tag}> loads {attrs['src']}"
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        href = attrs.get("href") or ""
        assert not href or href.startswith("#"), href
    assert not re.search(r"https?://", page), "no URL at all: nothing to fetch, from file:// or a CI artifact"
    # The policy blocks anything that slipped through anyway.
    assert "default-src 'none'" in page


def test_hostile_title_stays_text(storage_repo: Path):
    page = dashboard.render(report_of(_hostile_repo(storage_repo)))
    doc = parse(page)
    # Only our own two scripts: the data block and the code.
    assert [attrs.get("type") for tag, attrs in doc.tags if tag == "script"] == ["application/json", None]
    assert not [t for t, _ in doc.tags if t == "img"]
    assert not any("onerror" in attrs for _, attrs in doc.tags)
    assert "window.pwned" not in doc.scripts[1]
    # The data block still carries the title, intact once parsed.
    data = json.loads(doc.scripts[0])
    assert data["packets"][[p["id"] for p in data["packets"]].index("WP-1-Storage-Foundation")]["title"] == HOSTILE_TITLE
    assert "&lt;img src=x onerror=" in page  # shown in the table as text


def test_every_packet_has_a_row_and_a_detail():
    report = report_of(FIXTURES / "contract-era")
    page = dashboard.render(report)
    doc = parse(page)
    rows = [attrs for tag, attrs in doc.tags if tag == "tr" and (attrs.get("id") or "").startswith("row-")]
    folders = [d for d in (FIXTURES / "contract-era/.GOV/task_packets").iterdir() if d.is_dir()]
    assert len(rows) == len(report.packets) == len(folders)
    data = json.loads(doc.scripts[0])
    assert [p["id"] for p in data["packets"]] == [r.packet.id for r in report.packets]
    assert {r["data-verdict"] for r in rows} == {r.verdict.value for r in report.packets}


def test_stale_packet_shows_versions_behind_and_its_changed_section_diff():
    report = report_of(STORAGE)
    page = dashboard.render(report)
    doc = parse(page)
    row = next(attrs for tag, attrs in doc.tags if tag == "tr" and "storage-foundation" in (attrs.get("data-search") or ""))
    assert "stale" in row["data-flags"] and "changed" in row["data-flags"]
    assert "\u2193 3" in page  # v02.90 against v02.93
    data = json.loads(doc.scripts[0])
    detail = next(p for p in data["packets"] if p["id"] == "WP-1-Storage-Foundation")
    assert detail["stale"]["changed"] == ["2.3.12"]
    (sid, n), = detail["diffs"]
    assert sid == "2.3.12" and "+Every migration must run unchanged on all three" in data["diffs"][n]


def test_same_diff_is_stored_once(storage_repo: Path):
    packets = storage_repo / ".GOV" / "task_packets"
    original = (packets / "WP-1-Storage-Foundation.md").read_text(encoding="utf-8")
    (packets / "WP-1-Storage-Foundation-v2.md").write_text(
        original.replace("WP-1-Storage-Foundation", "WP-1-Storage-Foundation-v2"), encoding="utf-8")
    data = json.loads(parse(dashboard.render(report_of(storage_repo))).scripts[0])
    stale = [p for p in data["packets"] if p["diffs"]]
    assert len(stale) == 2
    assert len(data["diffs"]) == 1 and stale[0]["diffs"] == stale[1]["diffs"]


def test_engine_fills_spec_outline_anchors_and_board():
    report = report_of(STORAGE)
    assert ("2.3.12", "Storage portability") in [(s.id, s.title) for s in report.spec_sections]
    by_id = {r.packet.id: r for r in report.packets}
    assert "2.3.12" in by_id["WP-1-Storage-Foundation"].anchors
    assert report.board_path == ".GOV/roles_shared/TASK_BOARD.md"
    assert [(e.wp_id, e.section, e.token) for e in report.board] == [("WP-1-Storage-Foundation", "Done", "VALIDATED")]


def test_coverage_view_names_anchoring_packets_and_uncovered_sections():
    page = dashboard.render(report_of(STORAGE))
    cov = page[page.index('id="coverage"'):]
    row = re.search(r'<tr class="c-anchored c-changed"><td class="d2">\u00a72\.3\.12</td>.*?</tr>', cov)
    assert row and "WP-1-Storage-Foundation" in row.group(0) and "since v02.90" in row.group(0)
    assert re.search(r'<tr class="c-none"><td class="d\d">[^<]*</td><td>[^<]*</td><td>\u2014 none</td>', cov)
    assert re.search(r'<tr class="c-within"><td class="d3">\u00a72\.3\.12\.1</td><td>[^<]*</td><td>within \u00a72\.3\.12<', cov)


def test_board_mismatch_is_flagged_with_words_not_only_colour(storage_repo: Path):
    board = storage_repo / ".GOV" / "roles_shared" / "TASK_BOARD.md"
    text = board.read_text(encoding="utf-8")
    entry = next(ln for ln in text.splitlines() if "WP-1-Job-Queue-v2" in ln)
    board.write_text(text.replace(entry, "") + "\n## In Progress\n- **[WP-1-Job-Queue-v2]** - [IN_PROGRESS]\n",
                     encoding="utf-8")
    report = report_of(storage_repo)
    assert any(f.rule == "task-board-mismatch" for f in report.repo_findings)
    page = dashboard.render(report)
    board_view = page[page.index('id="board"'):page.index('id="coverage"')]
    assert re.search(r'<tr class="bad" data-mismatch="1">.*?\u26a0 board lists WP-1-Job-Queue-v2', board_view)
    assert "\u26a0 mismatch: In Progress" in page  # the packets table's Board column


@pytest.mark.parametrize(("packet", "current", "behind"), [
    ("02.90", "02.93", 3), ("02.99", "02.100", 1), ("02.180", "02.195", 15), ("01.9", "02.1", None), (None, "02.1", None),
])
def test_versions_behind_counts_minor_versions(packet, current, behind):
    assert versions_behind(packet, current) == behind


def test_json_report_carries_what_the_dashboard_draws_so_merge_can_render_it():
    # `govcheck merge PART.json --format html` renders from JSON alone: the
    # spec outline, the board entries and each packet's anchored sections
    # travel in the JSON report and come back unchanged.
    from govcheck.report.json import decode

    report = report_of(STORAGE)
    data = json.loads(run_cli("validate", "--all", "--no-run", "--repo", STORAGE, "--format", "json").stdout)
    assert data["spec_sections"] and data["board"]["entries"]
    again = decode(data)
    assert again.spec_sections == report.spec_sections and again.board == report.board
    assert [r.anchors for r in again.packets] == [r.anchors for r in report.packets]