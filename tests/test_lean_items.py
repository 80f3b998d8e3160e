"""The packet parser tokenises one-line list items without their paragraph
tokens (parse.blocks ``lean``). That may change no parsed packet:
every packet is parsed both ways here and the two must be equal, on the
fixtures, a generated repo, generated packet-like documents and (slow)
every packet of the corpora."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from govcheck.parse import packet as packet_mod
from govcheck.parse.packet import packet_markdown, parse_packet

SHARED = ROOT.parent / "shared" / "corpus"
FULL = packet_markdown(lean=False)


def _both(data: bytes, monkeypatch, where: str, packet_json: bytes | None = None) -> None:
    lean = parse_packet(data, packet_id="WP-1-Lean", path="p.md", packet_json=packet_json)
    with monkeypatch.context() as m:
        m.setattr(packet_mod, "_md", FULL)
        full = parse_packet(data, packet_id="WP-1-Lean", path="p.md", packet_json=packet_json)
    assert lean == full, where


def test_lean_parse_keeps_the_opening_tokens_and_heading_text():
    text = "# T\n\n- STATUS: Ready\n- second\n  continued\n\nA paragraph.\n"
    full = [(t.type, t.map) for t in FULL.parse(text)]
    lean_tokens = packet_mod._md.parse(text)
    lean = [(t.type, t.map) for t in lean_tokens]
    # the one-line item loses its paragraph; closings of items, paragraphs
    # and headings go, and so do paragraphs' (textless) inline tokens
    assert lean == [
        ("heading_open", [0, 1]), ("inline", [0, 1]),
        ("bullet_list_open", [2, 6]),
        ("list_item_open", [2, 3]),
        ("list_item_open", [3, 6]), ("paragraph_open", [3, 5]),
        ("bullet_list_close", None),
        ("paragraph_open", [6, 7]),
    ]
    assert lean_tokens[1].content == "T"  # a heading keeps its text
    # every token kept is one markdown-it-py makes, with the same line map
    assert all(tok in full for tok in lean)


def _packet_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if p.is_file() and ".govcheck" not in p.parts
                  and (p.name.startswith("WP-") or p.name == "packet.md" or "packet" in p.parent.name.lower()
                       or "work" in p.parts or "tasks" in p.parts or "stories" in p.parts))


def test_same_packets_on_the_fixtures(monkeypatch):
    files = [p for p in (ROOT / "fixtures").rglob("*.md") if p.is_file()]
    assert len(files) > 20
    for p in files:
        _both(p.read_bytes(), monkeypatch, str(p))


def test_same_packets_on_a_generated_repo(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_repo import make_repo
    finally:
        sys.path.remove(str(ROOT / "bench"))
    make_repo(tmp_path, n_packets=80, spec_bytes=30_000, seed=5)
    files = [p for p in tmp_path.rglob("*.md") if p.is_file() and "spec" not in p.parts]
    assert len(files) > 80
    for p in files:
        json_path = p.parent / "packet.json" if p.name == "packet.md" else None
        _both(p.read_bytes(), monkeypatch, str(p), json_path.read_bytes() if json_path and json_path.exists() else None)


# Packet-shaped lines: fields as items, headings, nested items, fences,
# continuation lines, quotes; {n} a number.
_LINES = [
    "", "", "# Task Packet: WP-1-Lean", "## METADATA", "## DONE_MEANS", "### TEST_PLAN", "## SPEC_ANCHOR",
    "- **Status:** Ready for Dev", "- RISK_TIER: HIGH", "- SPEC_BASELINE: Handshake_Master_Spec_v02.{n}.md",
    "- SPEC_ANCHOR: Handshake_Master_Spec_v02.{n}.md 2.3.{n}", "  - src/backend/file_{n}.rs", "    - deeper: {n}",
    "- The store keeps item {n}.", "  continued text", "lazy continuation", "* star item", "+ plus item",
    "1. first", "2) second", "- [x] done", "- [ ] open", "-", "- ", "  ```bash", "  cargo test", "  ```", "```",
    "just pre-work WP-1-Lean", "~~~", "> quoted", "> - quoted item", "**Verdict:** PASS", "STATUS: Done",
    "Verdict: FAIL", "---", "***", "    indented code", "\tTab item", "- # heading in item", "- > quote in item",
    "- ```", "- 1. ordered in bullet", "  - b", " - d", "   - e", "text", "=====",
]


def _document(r: random.Random) -> str:
    lines = [r.choice(_LINES).replace("{n}", str(r.randint(1, 199))) for _ in range(r.randint(1, 60))]
    return "\n".join(lines) + ("\n" if r.random() < 0.7 else "")


def test_same_packets_on_generated_documents(monkeypatch):
    r = random.Random(20261202)
    for n in range(1500):
        _both(_document(r).encode("utf-8"), monkeypatch, f"generated document {n}")


@pytest.mark.slow  # every packet of the corpora: .ci/run runs it
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared corpus not present")
def test_same_packets_on_the_corpora(monkeypatch):
    files = [p for p in SHARED.rglob("*.md") if p.is_file() and p.stat().st_size < 2_000_000
             and (p.name.startswith("WP-") or p.name == "packet.md")]
    assert len(files) > 300
    for p in files:
        json_path = p.parent / "packet.json" if p.name == "packet.md" else None
        _both(p.read_bytes(), monkeypatch, str(p), json_path.read_bytes() if json_path and json_path.exists() else None)
