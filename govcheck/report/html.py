"""The HTML dashboard: one self-contained file (no network, no external
assets) for looking at a whole repo at once.

Views: a summary header; the packets table (sortable, filterable); a
packet's detail (findings with file:line, the diffs of its changed anchored
sections, DONE_MEANS, the TEST_PLAN evidence); the task board against the
packets; spec coverage (the current spec's sections by chapter, who anchors
each, what changed under whose anchors).

Safety: packet text is hostile. Everything written into the HTML goes
through ``html.escape``; the per-packet details travel as JSON inside a
``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped
(so ``</script>`` in a title cannot end the block) and are put on the page
by the inline script with ``textContent`` only, never ``innerHTML``.

Size: diffs of the same section between the same versions are stored once
(many packets anchor the same sections), and details are drawn only when
opened, so 1,200 packets stay a few MB and the page is usable at once.

Like every renderer it only shows what the Report holds; the few tallies it
prints (versions behind, packets per section) are counts of that data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from typing import Any, Iterable

from govcheck.analysis.anchoring import basis_label
from govcheck.model import BoardEntry, Finding, PacketResult, Report, Severity, Verdict
from govcheck.parse.versions import version_key

# Colour is never the only carrier: every verdict and severity has a word
# and a symbol too.
_VERDICT_ICON = {Verdict.PASS: "\u2714", Verdict.FAIL: "\u2716", Verdict.OUTDATED: "\u25f7"}
_SEVERITY_ICON = {"error": "\u2716", "warning": "\u26a0", "info": "\u2139"}
_NOT_ANCHORED = "\u2014 none"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived_by)


def _stale(result: PacketResult) -> Finding | None:
    return next((f for f in result.findings if f.rule == "spec-stale"), None)


def versions_behind(packet_version: str | None, current: str | None) -> int | None:
    """How many minor versions the packet trails SPEC_CURRENT by (02.180 vs
    02.195 is 15); None when either is unknown or the majors differ (then
    the versions themselves are shown)."""
    if not packet_version or not current:
        return None
    try:
        old, new = version_key(packet_version), version_key(current)
    except ValueError:
        return None
    if len(old) != 2 or len(new) != 2 or old[0] != new[0]:
        return None
    return new[1] - old[1]


def _verdict_badge(verdict: Verdict) -> str:
    return f'<span class="badge v-{verdict.value}">{_VERDICT_ICON[verdict]} {verdict.value}</span>'


def _section_parents(section_id: str) -> Iterable[str]:
    parts = section_id.split(".")
    for n in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:n])


class _Views:
    """What the views share, indexed once from the Report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.index = {r.packet.id: n for n, r in enumerate(report.packets)}
        self.current = report.spec_current.version if report.spec_current else None
        self.board_by_id: dict[str, list[BoardEntry]] = defaultdict(list)
        for entry in report.board:
            self.board_by_id[entry.wp_id].append(entry)
        self.mismatches: dict[str, list[Finding]] = defaultdict(list)
        for f in report.repo_findings:
            wp_id = f.data.get("wp_id") if f.rule == "task-board-mismatch" else None
            if isinstance(wp_id, str):
                self.mismatches[wp_id].append(f)
        # Section id -> packets anchoring it; -> (packet, since version) whose
        # spec-stale finding says it changed under them.
        self.anchored_by: dict[str, list[str]] = defaultdict(list)
        self.changed_for: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in report.packets:
            for sid in r.anchors:
                self.anchored_by[sid].append(r.packet.id)
            stale = _stale(r)
            for sid in (stale.data.get("changed_sections") or ()) if stale else ():
                self.changed_for[sid].append((r.packet.id, str(stale.data.get("packet_version"))))
        # Each distinct diff once: (old version, new version, section) -> text.
        self.diffs: list[str] = []
        self._diff_ids: dict[str, int] = {}

    def packet_link(self, wp_id: str) -> str:
        n = self.index.get(wp_id)
        if n is None:
            return f"<code>{_e(wp_id)}</code>"
        return f'<a href="#p-{n}">{_e(wp_id)}</a>'

    def diff_id(self, text: str) -> int:
        if text not in self._diff_ids:
            self._diff_ids[text] = len(self.diffs)
            self.diffs.append(text)
        return self._diff_ids[text]


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------


def _summary(v: _Views) -> str:
    report = v.report
    counts = {verdict: sum(1 for r in report.packets if r.verdict is verdict) for verdict in Verdict}
    stale = [r for r in report.packets if _stale(r)]
    changed = [r for r in stale if (_stale(r).data.get("changed_sections") or ())]  # type: ignore[union-attr]
    done_outdated = [r for r in report.packets if r.packet.status_class == "done" and r.verdict is Verdict.OUTDATED]
    sc = report.spec_current
    receipt = report.receipt
    tiles = [
        (f"v-{Verdict.PASS.value}", f"{_VERDICT_ICON[Verdict.PASS]} PASS", counts[Verdict.PASS], "PASS"),
        (f"v-{Verdict.FAIL.value}", f"{_VERDICT_ICON[Verdict.FAIL]} FAIL", counts[Verdict.FAIL], "FAIL"),
        (f"v-{Verdict.OUTDATED.value}", f"{_VERDICT_ICON[Verdict.OUTDATED]} OUTDATED", counts[Verdict.OUTDATED],
         "OUTDATED"),
        ("t-stale", "\u2193 stale vs SPEC_CURRENT", len(stale), "stale"),
        ("t-changed", "\u0394 anchored sections changed", len(changed), "changed"),
        ("t-done", "\u25f7 Done but OUTDATED", len(done_outdated), "done-outdated"),
        ("t-board", "\u26a0 board mismatches", sum(len(fs) for fs in v.mismatches.values()), None),
    ]
    out = ['<header id="top">', '<h1>govcheck dashboard</h1>',
           f'<p class="overall">Overall verdict: {_verdict_badge(report.verdict)} '
           f'<span class="muted">{len(report.packets)} packet(s)</span></p>', '<ul class="tiles">']
    for cls, label, n, quick in tiles:
        # A tile filters the packets table; the board tile goes to its view.
        if quick:
            out.append(f'<li class="tile {cls}"><button type="button" class="tile-b" data-quick="{quick}">'
                       f"<b>{n}</b> {_e(label)}</button></li>")
        elif report.board_path is None:
            # Without a board, "0 mismatches" would claim an agreement nobody checked.
            out.append(f'<li class="tile {cls}"><a class="tile-b" href="#board"><b>\u2014</b> no task board</a></li>')
        else:
            out.append(f'<li class="tile {cls}"><a class="tile-b" href="#board"><b>{n}</b> {_e(label)}</a></li>')
    out.append("</ul><dl class=\"facts\">")
    facts = [
        ("SPEC_CURRENT", f"{sc.path} \u2192 {sc.spec_file} (v{sc.version})" if sc else "unresolved"),
        ("Generated", f"{report.generated_at} by govcheck {report.tool_version}"),
        ("Repo", report.repo),
    ]
    if receipt is not None:
        facts.append(("Receipt", f"spec sha256 {receipt.spec_current_sha256 or '-'}; "
                                 f"config sha256 {receipt.config_sha256 or '-'}"))
    facts += [("Note", note) for note in report.notes]
    out += [f"<dt>{_e(k)}</dt><dd>{_e(val)}</dd>" for k, val in facts]
    out.append("</dl></header>")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Packets table
# --------------------------------------------------------------------------

_COLUMNS = (
    # label, sort type
    ("Packet", "text"), ("Form", "text"), ("Status", "text"), ("Verdict", "verdict"), ("Spec", "version"),
    ("Behind", "num"), ("Anchored \u00a7 changed", "num"), ("Errors", "num"), ("Warnings", "num"), ("Board", "text"),
)
_VERDICT_ORDER = {Verdict.FAIL: 0, Verdict.OUTDATED: 1, Verdict.PASS: 2}


def _version_sort(version: str | None) -> str:
    try:
        return ".".join(f"{part:05d}" for part in version_key(version)) if version else ""
    except ValueError:
        return version or ""


def _packet_row(v: _Views, n: int, r: PacketResult) -> str:
    p = r.packet
    stale = _stale(r)
    status = p.status.value if p.status else ""
    behind = versions_behind(r.spec_version, v.current) if stale else None
    if stale is None:
        behind_cell, behind_v = ("\u2014", -1)
    elif behind is None:
        behind_cell, behind_v = (f"behind v{_e(v.current)}", 0)
    else:
        behind_cell, behind_v = (f"\u2193 {behind}", behind)
    changed = stale.data.get("changed_sections") if stale else None
    if stale is None:
        changed_cell, changed_v = "\u2014", -1
    elif changed is None:
        changed_cell, changed_v = '<span class="muted">? unknown</span>', 0
    elif not changed:
        changed_cell, changed_v = "none", 0
    else:
        shown = ", ".join(f"\u00a7{_e(s)}" for s in changed[:4]) + (f" +{len(changed) - 4}" if len(changed) > 4 else "")
        changed_cell, changed_v = f'<span class="chg">\u0394 {shown}</span>', len(changed)
    errors, warnings = _count(r.findings, Severity.ERROR), _count(r.findings, Severity.WARNING)
    entries = v.board_by_id.get(p.id, [])
    mismatch = bool(v.mismatches.get(p.id))
    board = "; ".join(e.section for e in entries)
    if entries:
        board_cell = ("\u26a0 mismatch: " if mismatch else "") + _e(board)
    else:
        board_cell = '<span class="muted">not on board</span>' if v.report.board_path else ""
    title = f'<br><span class="title">{_e(p.title[:120])}</span>' if p.title else ""
    rules = " ".join(sorted({f.rule for f in r.findings}))
    search = " ".join(filter(None, (p.id, p.title or "", status, r.verdict.value, rules, board))).lower()
    flags = " ".join(name for name, on in (("stale", stale is not None), ("changed", changed_v > 0),
                                            ("done-outdated", p.status_class == "done" and r.verdict is Verdict.OUTDATED),
                                            ("mismatch", mismatch)) if on)
    cells = [
        (p.id, f'<a class="pk" href="#p-{n}">{_e(p.id)}</a>{title}'),
        (p.generation, _e(p.generation)),
        (status, _e(status[:60]) or '<span class="muted">missing</span>'),
        (_VERDICT_ORDER[r.verdict], _verdict_badge(r.verdict)),
        (_version_sort(r.spec_version), f"v{_e(r.spec_version)}" if r.spec_version else '<span class="muted">none</span>'),
        (behind_v, behind_cell),
        (changed_v, changed_cell),
        (errors, f"{_SEVERITY_ICON['error']} {errors}" if errors else "0"),
        (warnings, f"{_SEVERITY_ICON['warning']} {warnings}" if warnings else "0"),
        (board, board_cell),
    ]
    tds = "".join(f'<td data-v="{_e(sort)}">{html}</td>' for sort, html in cells)
    return (f'<tr id="row-{n}" data-verdict="{r.verdict.value}" data-flags="{flags}" '
            f'data-search="{_e(search)}">{tds}</tr>')


def _packets_table(v: _Views) -> str:
    head = "".join(f'<th data-type="{kind}" aria-sort="none"><button type="button">{_e(label)}'
                   f'<span class="arrow" aria-hidden="true"></span></button></th>' for label, kind in _COLUMNS)
    rows = "\n".join(_packet_row(v, n, r) for n, r in enumerate(v.report.packets))
    return f"""<section id="packets" aria-labelledby="h-packets">
<h2 id="h-packets">Packets</h2>
<form class="filters" role="search" onsubmit="return false">
<label>Search <input id="q" type="search" placeholder="id, title, status, rule" autocomplete="off"></label>
<label>Verdict <select id="f-verdict"><option value="">any</option><option>FAIL</option><option>OUTDATED</option>
<option>PASS</option></select></label>
<label>Show <select id="f-flag"><option value="">all packets</option><option value="stale">stale vs SPEC_CURRENT</option>
<option value="changed">anchored sections changed</option><option value="done-outdated">Done but OUTDATED</option>
<option value="mismatch">board mismatch</option></select></label>
<output id="shown" aria-live="polite">{len(v.report.packets)} of {len(v.report.packets)} shown</output>
</form>
<div class="scroll"><table id="packet-table">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody></table></div>
<p class="muted">Click a column heading to sort; click a packet for its detail.
\u2193 n: minor spec versions behind SPEC_CURRENT. \u0394: anchored sections whose text changed since the packet's version.</p>
</section>
<section id="detail" aria-labelledby="h-detail" hidden>
<h2 id="h-detail">Packet detail</h2>
<div id="detail-body"></div>
</section>"""


# --------------------------------------------------------------------------
# Details (JSON, drawn on demand)
# --------------------------------------------------------------------------


def _finding_row(f: Finding, packet_path: str) -> list[Any]:
    # The path is left out when it is the packet's own (most findings): the
    # page puts it back. 1,200 packets repeat it tens of thousands of times.
    return [f.severity.value, f.rule, None if f.path == packet_path else f.path or "-", f.line, f.message,
            f.waived_by]


def _detail(v: _Views, r: PacketResult) -> dict[str, Any]:
    p = r.packet
    stale = _stale(r)
    diffs: list[list[Any]] = []
    if stale is not None:
        for sid, text in (stale.data.get("section_diffs") or {}).items():
            diffs.append([sid, v.diff_id(str(text))])
    return {
        "id": p.id,
        "path": p.path,
        "title": p.title,
        "status": p.status.value if p.status else None,
        "status_line": p.status.line if p.status else None,
        "risk": p.risk,
        "verdict": r.verdict.value,
        "reason": r.reason,
        "deciding": list(r.deciding_rules),
        "spec": None if not r.spec_version else
        f"v{r.spec_version} ({basis_label(r.spec_basis)}, line {r.spec_basis_line})",
        "stale": None if stale is None else {
            "from": stale.data.get("packet_version"),
            "to": stale.data.get("current_version"),
            "changed": stale.data.get("changed_sections"),
            "source": stale.data.get("old_spec_source"),
        },
        "anchors": list(r.anchors),
        "diffs": diffs,
        "findings": [_finding_row(f, p.path) for f in r.findings],
        "criteria": [[c.status, c.text, c.line, list(c.evidence[:3]), c.note] for c in r.criteria],
        "commands": [[c.command, c.line, c.status + (" (cached)" if c.cached else ""), c.exit_code,
                      None if c.duration_s is None else round(c.duration_s, 1), c.log_path,
                      list(c.proof_lines) or None, c.reason] for c in r.commands],
        "superseded": list(r.superseded),
        "board": [[e.section, e.line] for e in v.board_by_id.get(p.id, [])],
    }


def _json_for_script(value: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` element holding it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --------------------------------------------------------------------------
# Board versus packets
# --------------------------------------------------------------------------


def _board(v: _Views) -> str:
    report = v.report
    out = ['<section id="board" aria-labelledby="h-board">', '<h2 id="h-board">Task board versus packets</h2>']
    if report.board_path is None:
        out.append('<p class="muted">No task board found in this repo, so there is nothing to compare.</p>')
    else:
        n_mis = sum(len(fs) for fs in v.mismatches.values())
        icon = "\u26a0" if n_mis else "\u2714"
        out.append(f"<p><code>{_e(report.board_path)}</code>: {len(report.board)} entries naming a packet; "
                   f"<strong>{icon} {n_mis} mismatch(es)</strong> "
                   "(task-board-mismatch findings).</p>")
        out.append('<label class="inline"><input type="checkbox" id="f-board"> only mismatches</label>')
        out.append('<div class="scroll"><table id="board-table"><thead><tr><th>Board line</th><th>Packet</th>'
                   "<th>Board says</th><th>Packet status</th><th>Verdict</th><th>Mismatch</th></tr></thead><tbody>")
        shown: set[int] = set()
        for entry in report.board:
            n = v.index.get(entry.wp_id)
            r = report.packets[n] if n is not None else None
            found = [f for f in v.mismatches.get(entry.wp_id, []) if f.line == entry.line]
            shown.update(id(f) for f in found)
            status = (r.packet.status.value if r and r.packet.status else "") if r else ""
            says = entry.section + (f" [{entry.token}]" if entry.token else "")
            mis = "<br>".join(f"\u26a0 {_e(f.message)}" for f in found) or "\u2714 agrees"
            out.append(
                f'<tr class="{"bad" if found else ""}" data-mismatch="{1 if found else 0}">'
                f"<td>{entry.line}</td><td>{v.packet_link(entry.wp_id)}</td><td>{_e(says)}</td>"
                f"<td>{_e(status) if r else '<span class=muted>not validated in this run</span>'}</td>"
                f"<td>{_verdict_badge(r.verdict) if r else ''}</td>"
                f"<td>{mis}</td></tr>")
        out.append("</tbody></table></div>")
        rest = [f for fs in v.mismatches.values() for f in fs if id(f) not in shown]
        if rest:
            out.append("<h3>Other mismatches</h3><ul>")
            out += [f"<li>\u26a0 line {_e(f.line)}: {_e(f.message)}</li>" for f in rest]
            out.append("</ul>")
        missing = [r.packet.id for r in report.packets if r.packet.id not in v.board_by_id]
        if missing:
            out.append(f"<details><summary>{len(missing)} packet(s) validated here are not on the board</summary>"
                       f"<p>{', '.join(v.packet_link(wp) for wp in missing)}</p></details>")
    out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Spec coverage
# --------------------------------------------------------------------------


def _coverage(v: _Views) -> str:
    report = v.report
    out = ['<section id="coverage" aria-labelledby="h-coverage">',
           '<h2 id="h-coverage">Spec coverage</h2>']
    if not report.spec_sections:
        out.append('<p class="muted">The current spec\'s sections are not in this report.</p></section>')
        return "\n".join(out)
    known = {s.id for s in report.spec_sections}
    anchored = set(v.anchored_by)
    chapters: dict[str, list] = defaultdict(list)
    titles: dict[str, str] = {}
    for s in report.spec_sections:
        chapter = s.id.split(".")[0]
        chapters[chapter].append(s)
        if s.id == chapter:
            titles[chapter] = s.title
    total_uncovered = 0
    body: list[str] = []
    for chapter, sections in chapters.items():
        rows = []
        n_direct = n_changed = n_none = 0
        for s in sections:
            by = v.anchored_by.get(s.id, [])
            parent = next((q for q in _section_parents(s.id) if q in anchored), None)
            changed = v.changed_for.get(s.id, [])
            state = "anchored" if by else "within" if parent else "none"
            n_direct += bool(by)
            n_changed += bool(changed)
            n_none += state == "none"
            # Short markup: a spec has thousands of sections, most of them
            # anchored by nobody (the state is a class; its label is text).
            if by:
                who = ", ".join(v.packet_link(wp) for wp in by)
            elif parent:
                who = f"within \u00a7{_e(parent)}"
            else:
                who = _NOT_ANCHORED
            chg = "<br>".join(f"\u0394 {v.packet_link(wp)} since v{_e(since)}" for wp, since in changed)
            depth = s.id.count(".")
            cls = f"c-{state}" + (" c-changed" if changed else "")
            rows.append(f'<tr class="{cls}"><td class="d{min(depth, 5)}">'
                        f"\u00a7{_e(s.id)}</td><td>{_e(s.title)}</td><td>{who}</td><td>{chg}</td></tr>")
        total_uncovered += n_none
        title = titles.get(chapter, "")
        changed_note = f" \u00b7 \u0394 {n_changed} changed under anchors" if n_changed else ""
        body.append(
            f'<details class="chapter"><summary><b>\u00a7{_e(chapter)}</b> {_e(title)} '
            f'<span class="muted">{len(sections)} sections \u00b7 {n_direct} anchored \u00b7 {n_none} not covered'
            f"{changed_note}</span></summary>"
            '<div class="scroll"><table class="cov"><thead><tr><th>Section</th><th>Title</th><th>Anchored by</th>'
            "<th>Changed since packet's version</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
            "</details>")
    out.append(f"<p>{len(report.spec_sections)} numbered sections in v{_e(v.current)}; "
               f"{len(known & anchored)} anchored directly; <strong>{total_uncovered} covered by no packet</strong> "
               "(neither anchored nor inside an anchored section).</p>")
    out.append('<label class="inline">Show <select id="f-cov"><option value="">all sections</option>'
               '<option value="none">not covered by any packet</option><option value="anchored">anchored</option>'
               '<option value="changed">changed under an anchor</option></select></label>')
    out += body
    outside = sorted({(sid, wp) for sid, wps in v.anchored_by.items() if sid not in known for wp in wps})
    if outside:
        out.append(f"<details><summary>{len(outside)} anchor(s) name sections not in v{_e(v.current)}</summary><ul>")
        out += [f"<li>\u00a7{_e(sid)} \u2014 {v.packet_link(wp)}</li>" for sid, wp in outside]
        out.append("</ul></details>")
    out.append("</section>")
    return "\n".join(out)


def _repo_findings(report: Report) -> str:
    if not report.repo_findings:
        return ""
    items = "".join(
        f'<li class="s-{f.severity.value}">{_SEVERITY_ICON.get(f.severity.value, "")} {f.severity.value} '
        f"<code>{_e(f.rule)}</code> {_e(f.path or '-')}{':' + str(f.line) if f.line else ''}: {_e(f.message)}</li>"
        for f in report.repo_findings)
    return (f'<section id="repo-findings" aria-labelledby="h-repo"><h2 id="h-repo">Repository findings '
            f"({len(report.repo_findings)})</h2><ul>{items}</ul></section>")


# --------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------


def render(report: Report, options: object = None) -> str:
    v = _Views(report)
    # Each rule's fix once; packets name the rules that decided their verdict.
    fixes = {r.id: r.fix for r in report.rules if r.fix}
    summary = _summary(v)
    table = _packets_table(v)
    board = _board(v)
    coverage = _coverage(v)
    details = [_detail(v, r) for r in report.packets]
    data = _json_for_script({"packets": details, "diffs": v.diffs, "fixes": fixes, "board_path": report.board_path})
    title = f"govcheck dashboard \u2014 {report.verdict.value} ({len(report.packets)} packets)"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="govcheck {_e(report.tool_version)}">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<nav aria-label="Views"><a href="#top">Summary</a><a href="#packets">Packets</a><a href="#board">Board</a>
<a href="#coverage">Spec coverage</a>{'<a href="#repo-findings">Repo findings</a>' if report.repo_findings else ''}</nav>
<main>
{summary}
<noscript><p class="muted">Sorting, filtering and the packet detail need JavaScript; the tables below read without it.</p></noscript>
{table}
{board}
{coverage}
{_repo_findings(report)}
</main>
<script type="application/json" id="govcheck-data">{data}</script>
<script>{_JS}</script>
</body>
</html>
"""


_CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--out:#9a6700;
--pass-bg:#dafbe1;--fail-bg:#ffebe9;--out-bg:#fff8c5;--chg:#8250df;--head:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg)}main{padding:0 1rem 3rem;max-width:110rem;margin:0 auto}
nav{position:sticky;top:0;z-index:2;background:var(--head);border-bottom:1px solid var(--line);padding:.4rem 1rem;
display:flex;flex-wrap:wrap;gap:.3rem 1rem}nav a{color:var(--fg);font-weight:600}
h1{font-size:1.5rem;margin:.8rem 0 .2rem}h2{font-size:1.25rem;margin:1.8rem 0 .5rem;border-bottom:1px solid var(--line)}
.muted{color:var(--muted)}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.badge{display:inline-block;padding:0 .45em;border-radius:1em;font-weight:600;white-space:nowrap;border:1px solid}
.v-PASS{color:var(--pass);background:var(--pass-bg)}.v-FAIL{color:var(--fail);background:var(--fail-bg)}
.v-OUTDATED{color:var(--out);background:var(--out-bg)}
.tiles{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}.tile{border:1px solid var(--line);border-radius:.5rem}
.tile-b{display:block;padding:.4rem .7rem;background:none;border:0;font:inherit;color:inherit;cursor:pointer;text-decoration:none}
.tile b{font-size:1.3rem;margin-right:.2rem}.t-changed{color:var(--chg)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}.facts dt{font-weight:600}
.facts dd{margin:0;overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}
.filters input,.filters select,select{font:inherit;padding:.25rem}.inline{display:inline-block;margin:.3rem 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid var(--line);padding:.3rem .45rem;
text-align:left;vertical-align:top}thead th{background:var(--head);position:sticky;top:0}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
th[aria-sort=ascending] .arrow::after{content:" \\25B2"}th[aria-sort=descending] .arrow::after{content:" \\25BC"}
td:first-child{overflow-wrap:anywhere;min-width:12rem}.title{color:var(--muted);font-size:13px}
.chg{color:var(--chg);font-weight:600}tr.bad td{background:var(--fail-bg)}
.c-none td:nth-child(3),.c-within td:nth-child(3){color:var(--muted)}.cov .d1{padding-left:1rem}.cov .d2{padding-left:1.8rem}.cov .d3{padding-left:2.6rem}.cov .d4,.cov .d5{padding-left:3.4rem}
details.chapter{border:1px solid var(--line);border-radius:.4rem;margin:.35rem 0;padding:.3rem .6rem}
summary{cursor:pointer}
#detail{border:2px solid var(--line);border-radius:.5rem;padding:0 1rem 1rem;margin-top:1rem}
pre.diff{background:var(--head);padding:.5rem;font:12.5px/1.4 ui-monospace,Menlo,monospace;white-space:pre-wrap;
overflow-wrap:anywhere}.diff span{display:block}
.diff .add{color:var(--pass);background:var(--pass-bg)}.diff .del{color:var(--fail);background:var(--fail-bg)}
.diff .hunk{color:var(--chg)}
.s-error{color:var(--fail)}.s-warning{color:var(--out)}
@media (max-width:700px){main{padding:0 .5rem 2rem}table{font-size:13px}
#packet-table th:nth-child(2),#packet-table td:nth-child(2),#packet-table th:nth-child(9),#packet-table td:nth-child(9),
#packet-table th:nth-child(10),#packet-table td:nth-child(10){display:none}td:first-child{min-width:9rem}}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--line:#30363d;--head:#161b22;
--pass:#3fb950;--fail:#f85149;--out:#d29922;--pass-bg:#0f2d1a;--fail-bg:#3b1518;--out-bg:#2e2607;--chg:#bc8cff}}
@media print{nav,.filters{display:none}}
"""

# Static text: nothing from the report is ever interpolated into it. Packet
# data reaches the page only through textContent.
_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("govcheck-data").textContent);
  var table = document.getElementById("packet-table");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById("q"), fv = document.getElementById("f-verdict");
  var ff = document.getElementById("f-flag"), shown = document.getElementById("shown");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function filter() {
    var text = q.value.trim().toLowerCase(), verdict = fv.value, flag = ff.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!text || r.getAttribute("data-search").indexOf(text) >= 0) &&
        (!verdict || r.getAttribute("data-verdict") === verdict) &&
        (!flag || (" " + r.getAttribute("data-flags") + " ").indexOf(" " + flag + " ") >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }
  [q, fv, ff].forEach(function (c) { c.addEventListener("input", filter); c.addEventListener("change", filter); });

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.querySelector("button").addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1, num = th.getAttribute("data-type") !== "text";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var numeric = num && th.getAttribute("data-type") !== "version";
      // Keys read once, rows moved in one fragment: one layout, not 1,200.
      var keyed = rows.map(function (r, n) {
        var x = r.cells[col].getAttribute("data-v");
        return {r: r, k: numeric ? parseFloat(x) : x, n: +r.id.slice(4)};
      });
      keyed.sort(function (a, b) {
        var c = numeric ? a.k - b.k : (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);
        return c * dir || a.n - b.n;
      });
      rows = keyed.map(function (o) { return o.r; });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      tbody.appendChild(frag);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-quick]"), function (b) {
    b.addEventListener("click", function () {
      var k = b.getAttribute("data-quick");
      if (k === "PASS" || k === "FAIL" || k === "OUTDATED") { fv.value = k; ff.value = ""; } else { fv.value = ""; ff.value = k; }
      q.value = ""; filter();
      document.getElementById("packets").scrollIntoView();
    });
  });

  function table_(head, body) {
    var t = el("table"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", h)); });
    t.appendChild(el("thead")).appendChild(tr);
    var tb = t.appendChild(el("tbody"));
    body.forEach(function (cells) {
      var r = tb.appendChild(el("tr"));
      cells.forEach(function (c) { r.appendChild(c instanceof Node ? wrap(c) : el("td", c)); });
    });
    var s = el("div", null, "scroll"); s.appendChild(t); return s;
  }
  function wrap(node) { var td = el("td"); td.appendChild(node); return td; }

  function diffBlock(sid, text) {
    var d = el("div"), pre = el("pre", null, "diff");
    d.appendChild(el("h4", "\u00a7" + sid));
    text.split("\n").forEach(function (line) {
      var c = /^(\+\+\+|---)/.test(line) ? "" : line[0] === "+" ? "add" : line[0] === "-" ? "del" : line.slice(0, 2) === "@@" ? "hunk" : "";
      pre.appendChild(el("span", line || " ", c));  // one block per line (see .diff span)
    });
    d.appendChild(pre); return d;
  }

  function show(i) {
    var p = data.packets[i], box = document.getElementById("detail-body"), sec = document.getElementById("detail");
    if (!p) return;
    box.textContent = "";
    var back = el("a", "\u2190 back to the table"); back.href = "#row-" + i; box.appendChild(back);
    var h = el("h3"); h.appendChild(el("span", p.id + " ")); h.appendChild(el("span", {PASS: "\u2714 ", FAIL: "\u2716 ", OUTDATED: "\u25f7 "}[p.verdict] + p.verdict, "badge v-" + p.verdict));
    box.appendChild(h);
    if (p.title) box.appendChild(el("p", p.title, "title"));
    var facts = el("dl", null, "facts");
    [["File", p.path], ["Status", (p.status || "missing") + (p.status_line ? " (line " + p.status_line + ")" : "")],
     ["Risk tier", p.risk || "-"], ["Spec", p.spec || "names no spec version"],
     ["Anchors", p.anchors.length ? p.anchors.map(function (a) { return "\u00a7" + a; }).join(", ") : "none"],
     ["Board", data.board_path ? (p.board.length ? p.board.map(function (b) { return b[0] + " (line " + b[1] + ")"; }).join("; ") : "not on the board") : "no task board"],
     ["Reason", p.verdict + ": " + p.reason]].forEach(function (kv) {
      facts.appendChild(el("dt", kv[0])); facts.appendChild(el("dd", kv[1]));
    });
    if (p.superseded.length) { facts.appendChild(el("dt", "Supersedes")); facts.appendChild(el("dd", p.superseded.join(", "))); }
    box.appendChild(facts);
    var fixes = p.deciding.filter(function (r) { return Object.prototype.hasOwnProperty.call(data.fixes, r); });
    if (fixes.length) {
      var ul = el("ul");
      fixes.forEach(function (r) { ul.appendChild(el("li", r + ": " + data.fixes[r])); });
      box.appendChild(el("h4", "How to fix")); box.appendChild(ul);
    }
    box.appendChild(el("h4", "Findings (" + p.findings.length + ")"));
    box.appendChild(p.findings.length ? table_(["Severity", "Rule", "Where", "Message"], p.findings.map(function (f) {
      var sev = el("span", ({error: "\u2716 ", warning: "\u26a0 ", info: "\u2139 "}[f[0]] || "") + f[0], "s-" + f[0]);
      var where = (f[2] === null ? p.path : f[2]) + (f[3] ? ":" + f[3] : "");
      return [sev, f[1], el("code", where), f[4] + (f[5] ? " (waived by " + f[5] + ")" : "")];
    })) : el("p", "None."));
    if (p.stale) {
      var st = p.stale;
      box.appendChild(el("h4", "Anchored sections changed (v" + st.from + " \u2192 v" + st.to + ")"));
      if (st.changed === null) box.appendChild(el("p", "Unknown: the text of v" + st.from + " is not in the repo or its history.", "muted"));
      else if (!st.changed.length) box.appendChild(el("p", "None of the anchored sections changed."));
      p.diffs.forEach(function (d) { box.appendChild(diffBlock(d[0], data.diffs[d[1]])); });
    }
    box.appendChild(el("h4", "DONE_MEANS (" + p.criteria.length + ")"));
    box.appendChild(p.criteria.length ? table_(["Status", "Criterion", "Line", "Evidence"], p.criteria.map(function (c) {
      return [c[0], c[1], c[2], c[3].join(", ") + (c[4] ? " \u2014 " + c[4] : "")];
    })) : el("p", "None stated."));
    box.appendChild(el("h4", "TEST_PLAN evidence (" + p.commands.length + ")"));
    box.appendChild(p.commands.length ? table_(["#", "Command", "Line", "Status", "Exit", "Duration", "Log", "Proof / reason"], p.commands.map(function (c, n) {
      return [n + 1, el("code", c[0].split("\n")[0].slice(0, 200)), c[1], c[2], c[3] === null ? "-" : c[3], c[4] === null ? "-" : c[4] + "s", c[5] || "-", (c[6] || []).join(" | ") || c[7] || "-"];
    })) : el("p", "No commands."));
    sec.hidden = false;
    rows.forEach(function (r) { r.removeAttribute("aria-current"); });
    var row = document.getElementById("row-" + i);
    if (row) row.setAttribute("aria-current", "true");
    sec.scrollIntoView();
  }

  function fromHash() {
    var m = /^#p-(\d+)$/.exec(location.hash);
    if (m) show(+m[1]);
  }
  window.addEventListener("hashchange", fromHash);

  var fb = document.getElementById("f-board");
  if (fb) fb.addEventListener("change", function () {
    Array.prototype.forEach.call(document.querySelectorAll("#board-table tbody tr"), function (r) {
      r.hidden = fb.checked && r.getAttribute("data-mismatch") !== "1";
    });
  });
  var fc = document.getElementById("f-cov");
  if (fc) fc.addEventListener("change", function () {
    var k = fc.value;
    Array.prototype.forEach.call(document.querySelectorAll("table.cov tbody tr"), function (r) {
      r.hidden = !!k && !r.classList.contains("c-" + k);
    });
    Array.prototype.forEach.call(document.querySelectorAll("details.chapter"), function (d) {
      d.open = !!k && d.querySelector("tbody tr:not([hidden])") !== null;
      d.hidden = !!k && !d.open;
    });
  });
  fromHash();
  filter();
  // When the page became usable (ms since navigation): bench/dashboard.py reads it.
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
})();
"""
