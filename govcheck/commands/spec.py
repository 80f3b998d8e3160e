"""``govcheck spec show|diff`` and ``govcheck reanchor``: thin commands over
govcheck.repo.spec_history, govcheck.analysis.spec_diff and govcheck.commands.reanchor."""

from __future__ import annotations

import json
from pathlib import Path

from govcheck.analysis.spec_diff import compare, section_diff
from govcheck.commands.reanchor import plan_reanchor, sha256, unified
from govcheck.engine.loader import load_packet, open_repo
from govcheck.errors import GovcheckError, UsageError
from govcheck.parse.spec import index_spec
from govcheck.parse.versions import normalize_version
from govcheck.repo.repository import check_plain_id
from govcheck.repo.spec_history import SpecStore
from govcheck.util.fsutil import atomic_write_bytes


def _version(v: str) -> str:
    try:
        return normalize_version(v)
    except ValueError:
        raise UsageError(f"'{v}' is not a spec version (e.g. 02.123 or v02.123)") from None


def _store(root: Path):
    repo, _config, _rules = open_repo(root)
    return repo, SpecStore(repo)


def _text(store, version: str):
    text = store.get(version)
    if text is None:
        raise GovcheckError(f"spec v{version} is not in the working tree or the git history of this repo")
    return text


def spec_show(root: Path, section: str, version: str | None) -> str:
    repo, store = _store(root)
    v = _version(version) if version else repo.spec_current().version
    text = _text(store, v)
    body = index_spec(text.data).text(text.data, section)
    if body is None:
        raise GovcheckError(f"section {section} is not in spec v{v} ({text.source})")
    return body.decode("utf-8", "replace").replace("\r\n", "\n")


def spec_diff(root: Path, a: str, b: str, section: str | None, fmt: str, show_unchanged: bool) -> str:
    _repo, store = _store(root)
    va, vb = _version(a), _version(b)
    ta, tb = _text(store, va), _text(store, vb)
    if section:
        diff = section_diff(ta.data, tb.data, section, f"v{va}", f"v{vb}", cap=None)
        if fmt == "json":
            return json.dumps({"from": va, "to": vb, "section": section, "diff": diff}, indent=2) + "\n"
        return (diff + "\n") if diff else f"section {section}: unchanged between v{va} and v{vb}\n"
    statuses = compare(ta.data, tb.data)

    # A number that occurs twice: the first occurrence is the section; the
    # later ones are listed so nobody diffs the wrong text unknowingly.
    dups = {v: [(d.id, d.line) for d in index_spec(t.data).duplicates] for v, t in ((va, ta), (vb, tb))}
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.status] = counts.get(s.status, 0) + 1
    if fmt == "json":
        return json.dumps(
            {
                "from": {"version": va, "source": ta.source},
                "to": {"version": vb, "source": tb.source},
                "counts": counts,
                "sections": [{"id": s.id, "status": s.status, "title": s.title} for s in statuses],
                "duplicates": {v: [{"id": i, "line": ln} for i, ln in d] for v, d in dups.items()},
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"
    lines = [f"spec diff v{va} ({ta.source}) -> v{vb} ({tb.source})"]
    for s in statuses:
        if s.status != "unchanged" or show_unchanged:
            lines.append(f"{s.status:<9}  {s.id}  {s.title}")
    lines.append(", ".join(f"{counts.get(k, 0)} {k}" for k in ("changed", "unchanged", "added", "removed")))
    for v, d in dups.items():
        if d:
            shown = ", ".join(f"{i} (line {ln})" for i, ln in d[:8]) + (f", ... {len(d) - 8} more" if len(d) > 8 else "")
            lines.append(f"v{v}: {len(d)} repeated section number(s), first occurrence used: {shown}")
    return "\n".join(lines) + "\n"


def reanchor(root: Path, wp_id: str, dry_run: bool, today: str) -> tuple[int, str, str]:
    """Returns (exit code, stdout text, stderr line)."""

    repo, _config, _rules = open_repo(root)
    check_plain_id(wp_id)
    loc = repo.packet(wp_id)
    data = repo.read_bytes(loc.path)
    packet = load_packet(repo, loc)
    current = repo.spec_current().version
    plan = plan_reanchor(packet, data, SpecStore(repo), current, today)
    if plan.current:
        return 0, "", f"govcheck: {wp_id} is {plan.reason}"
    if not plan.ok:
        return 1, "", f"govcheck: reanchor {wp_id} refused: {plan.reason}"
    diff = unified(data, plan.new_bytes, loc.path)
    if dry_run:
        return 0, diff, f"govcheck: dry run: {plan.reason}; nothing written"
    # Refuse to overwrite an edit made while we were checking.
    if sha256(repo.abs(loc.path).read_bytes()) != sha256(data):
        return 1, "", f"govcheck: {loc.path} changed on disk during the run; nothing written"
    atomic_write_bytes(repo.abs(loc.path), plan.new_bytes)
    return 0, diff, f"govcheck: reanchored {wp_id} v{plan.old_version} -> v{plan.new_version}: {plan.reason}"
