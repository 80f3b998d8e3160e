"""The HTML dashboard in a real browser: headless Chromium from the system
(Debian's ``chromium``) driven by Playwright (the ``browser`` extra). No
browser is ever downloaded; without Chromium or Playwright these tests
skip and say what to install.

Each test writes a screenshot under its tmp_path, to look at when one fails.

CI that installs both sets GOVCHECK_BROWSER_TESTS=required: then a missing
browser or driver fails the tests instead of skipping them, so a broken
install cannot pass as green.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from conftest import FIXTURES, ROOT, STORAGE

from govcheck.engine.validate import ValidateOptions, validate
from govcheck.report import html as dashboard

pytestmark = pytest.mark.browser

HALF_CORPUS = ROOT.parent / "shared" / "corpus" / "handshake-6519f4e2-half"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the optional extra is not installed
    sync_playwright = None


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed: pip install -e '.[browser]'"
    if CHROMIUM is None:
        return "no system Chromium: apt-get install chromium (browser tests never download one)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    reason = _skip_reason()
    if reason and os.environ.get("GOVCHECK_BROWSER_TESTS") == "required":
        pytest.fail(f"GOVCHECK_BROWSER_TESTS=required but {reason}")
    if reason:
        pytest.skip(reason)
    with sync_playwright() as pw:
        # --no-sandbox: CI and the development machines run as root, where
        # Chromium refuses to start its sandbox.
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A dashboard opened from file://, recording console errors."""

    def __init__(self, browser, path: Path, shots: Path, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        self.shots = shots
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready='1']")

    def ids(self, visible_only: bool = True) -> list[str]:
        sel = "#packet-table tbody tr" + (":not([hidden])" if visible_only else "")
        return self.page.eval_on_selector_all(sel, "rs => rs.map(r => r.cells[0].querySelector('a').textContent)")

    def column(self, n: int) -> list[str]:
        return self.page.eval_on_selector_all(
            "#packet-table tbody tr:not([hidden])", f"rs => rs.map(r => r.cells[{n}].getAttribute('data-v'))")

    def shot(self, name: str) -> Path:
        out = self.shots / f"{name}.png"
        self.page.screenshot(path=str(out))
        return out


def _dashboard(repo: Path, out: Path):
    report = validate(repo, ValidateOptions(all_packets=True, no_run=True))
    out.write_text(dashboard.render(report), encoding="utf-8")
    return report


REPOS = [
    pytest.param(STORAGE, id="storage-foundation"),
    pytest.param(FIXTURES / "contract-era", id="contract-era"),
    pytest.param(HALF_CORPUS, id="corpus-half",
                 marks=pytest.mark.skipif(not HALF_CORPUS.is_dir(), reason="../shared corpus not present")),
]


@pytest.mark.parametrize("repo", REPOS)
def test_table_lists_every_packet_and_sorts_and_filters(browser, repo: Path, tmp_path: Path):
    report = _dashboard(repo, tmp_path / "dash.html")
    page = Page(browser, tmp_path / "dash.html", tmp_path)
    expected = [r.packet.id for r in report.packets]
    assert page.ids() == expected

    page.page.click("#packet-table th:nth-child(1) button")
    assert page.ids() == sorted(expected)
    assert page.page.get_attribute("#packet-table th:nth-child(1)", "aria-sort") == "ascending"
    page.page.click("#packet-table th:nth-child(1) button")
    assert page.ids() == sorted(expected, reverse=True)

    page.page.click("#packet-table th:nth-child(8) button")  # Errors, numerically
    errors = [int(v) for v in page.column(7)]
    assert errors == sorted(errors)

    target = expected[-1]
    page.page.fill("#q", target.lower())
    assert target in page.ids()
    rows = page.page.eval_on_selector_all("#packet-table tbody tr",
                                          "rs => rs.map(r => [r.hidden, r.getAttribute('data-search')])")
    assert all(hidden == (target.lower() not in search) for hidden, search in rows)
    page.page.fill("#q", "")
    page.page.select_option("#f-verdict", "FAIL")
    assert page.ids() == [i for i in page.ids(False) if i in {r.packet.id for r in report.packets
                                                               if r.verdict.value == "FAIL"}]
    assert len(page.ids()) == sum(1 for r in report.packets if r.verdict.value == "FAIL")
    assert page.page.text_content("#shown").startswith(f"{len(page.ids())} of {len(expected)}")
    page.shot("table")
    assert not page.errors


# Repos holding a stale packet whose anchored section changed (the contract-
# era fixture's stale packet follows its contract to the current version).
REPOS_WITH_A_DIFF = [p for p in REPOS if p.id != "contract-era"]


@pytest.mark.parametrize("repo", REPOS_WITH_A_DIFF)
def test_stale_packet_detail_shows_its_section_diff(browser, repo: Path, tmp_path: Path):
    report = _dashboard(repo, tmp_path / "dash.html")
    with_diff = [r for r in report.packets
                 if any(f.rule == "spec-stale" and f.data.get("section_diffs") for f in r.findings)]
    assert with_diff, "each of these repos has a stale packet whose anchored section changed"
    result = with_diff[0]
    stale = next(f for f in result.findings if f.rule == "spec-stale")
    page = Page(browser, tmp_path / "dash.html", tmp_path)
    page.page.select_option("#f-flag", "changed")
    assert result.packet.id in page.ids()
    page.page.click(f"#packet-table a.pk >> text='{result.packet.id}'")
    detail = page.page.locator("#detail")
    assert detail.is_visible()
    assert result.packet.id in detail.locator("h3").text_content()
    sid = next(iter(stale.data["section_diffs"]))
    diff = detail.locator("pre.diff").first
    assert diff.is_visible()
    assert f"\u00a7{sid}" in detail.text_content()
    assert diff.locator("span.add, span.del").count() > 0
    # Findings name file:line.
    assert f"{result.packet.path}:{stale.line}" in detail.text_content()
    assert page.shot("detail").stat().st_size > 0
    page.page.go_back()
    assert not page.errors


def test_hostile_packet_text_does_not_run(browser, storage_repo: Path, tmp_path: Path):
    from test_dashboard import HOSTILE_TITLE, _hostile_repo

    _dashboard(_hostile_repo(storage_repo), tmp_path / "dash.html")
    page = Page(browser, tmp_path / "dash.html", tmp_path)
    page.page.click("#packet-table a.pk >> text='WP-1-Storage-Foundation'")
    assert page.page.evaluate("typeof window.pwned") == "undefined"
    assert page.page.locator("img").count() == 0
    assert HOSTILE_TITLE.split(" &")[0] in page.page.text_content("#detail-body .title")
    page.shot("hostile")
    assert not page.errors


def test_reads_on_a_phone(browser, tmp_path: Path):
    _dashboard(STORAGE, tmp_path / "dash.html")
    page = Page(browser, tmp_path / "dash.html", tmp_path, width=390)
    # Nothing but the tables' own scroll boxes is wider than the screen.
    overflow = page.page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390
    page.shot("phone")
    assert not page.errors
