"""The dispatching block parser (govcheck/parse/blocks.py) must produce
exactly markdown-it-py's tokens: compared on every Markdown file we have
(fixtures, test data, the corpus when present, a generated benchmark repo)
and on thousands of generated documents built from the lines that make
block parsing hard (lazy continuations, setext underlines, nested lists,
fences inside items, block quotes, tabs, reference definitions)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import markdown_it
import pytest
from conftest import CORPUS, needs_corpus
from markdown_it import MarkdownIt

from govcheck.parse import blocks
from govcheck.parse.text import decode

ROOT = Path(__file__).resolve().parent.parent
_DISABLED = ["html_block", "html_inline", "entity", "link", "image", "autolink", "backticks", "emphasis", "inline"]


def _parser(fast: bool, keep_text: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": 40}).disable(_DISABLED)
    if fast and not blocks.install(md, keep_paragraph_text=keep_text):
        # Another markdown-it-py major version: govcheck parses with the
        # stock parser, and there is nothing to compare.
        pytest.skip(f"dispatching parser not used with markdown-it-py {markdown_it.__version__}",
                    allow_module_level=True)
    return md


STOCK = _parser(False)
FAST = _parser(True)
FAST_NO_TEXT = _parser(True, keep_text=False)


def _signature(tokens, paragraph_text: bool = True) -> list[tuple]:
    out = []
    for i, t in enumerate(tokens):
        content = t.content
        if not paragraph_text and t.type == "inline" and i and tokens[i - 1].type == "paragraph_open":
            content = None
        out.append((t.type, t.tag, t.nesting, t.level, t.map, t.markup, t.info, content, t.hidden, t.block,
                    t.attrs, t.meta, t.children))
    return out


def _assert_same(text: str, where: str) -> None:
    expected = _signature(STOCK.parse(text))
    got = _signature(FAST.parse(text))
    if got != expected:
        first = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
        pytest.fail(f"{where}: token {first} differs:\n  markdown-it: {expected[first:first + 1]}\n"
                    f"  dispatch:    {got[first:first + 1]}\n---\n{text[:2000]}")
    assert _signature(FAST_NO_TEXT.parse(text), False) == _signature(STOCK.parse(text), False), where


def _markdown_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if p.is_file() and ".govcheck" not in p.parts)


def test_same_tokens_on_fixtures_and_test_data():
    files = _markdown_files(ROOT / "fixtures") + _markdown_files(ROOT / "tests")
    assert len(files) > 20
    for p in files:
        _assert_same(decode(p.read_bytes()).text, str(p))


@pytest.mark.slow  # a whole-corpus or thousands-of-documents comparison: .ci/run runs it
@needs_corpus
def test_same_tokens_on_the_corpus():
    files = [p for p in _markdown_files(CORPUS) if p.stat().st_size < 1_000_000]
    assert len(files) > 150
    for p in files:
        _assert_same(decode(p.read_bytes()).text, str(p))


def test_same_tokens_on_a_generated_repo(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_repo import make_repo
    finally:
        sys.path.remove(str(ROOT / "bench"))
    make_repo(tmp_path, n_packets=60, spec_bytes=30_000, seed=11)
    files = _markdown_files(tmp_path)
    assert len(files) > 60
    for p in files:
        _assert_same(decode(p.read_bytes()).text, str(p))


# Lines chosen for what they do to block structure; {i} is replaced by an
# indentation of 0-9 spaces (sometimes a tab).
_LINES = [
    "", "", "", "   ", "\t",
    "plain text", "STATUS: Ready", "- **RISK_TIER**: HIGH", "**Verdict:** PASS", "text with trailing spaces   ",
    "# Title", "## Section ##", "### SPEC_ANCHOR: 2.3.12", "####### seven", "#no-space", "#", "## ", "  ### indented",
    "===", "---", "- - -", "***", "___", "* * *", "--", "=", "-", "+", "*",
    "- item", "* star item", "+ plus item", "- [ ] open box", "- [x] done box", "-   wide item", "-      code in item",
    "1. first", "2) second", "10. tenth", "0. zero", "1234567890. too long", "1.", "1.no-space",
    "```", "```bash", "````", "~~~", "~~~ info `tick`", "``` `tick`", "``", "```  ",
    "> quote", ">> nested quote", "> - quoted item", ">", "> ```",
    "[ref]: /url", "[ref]: /url 'title'", "[not a ref] text", "[ref]:", "[a\\]b]: /x",
    "<div>html</div>", "| a | b |", "|---|---|",
    "\tTab indented", "  \t mixed", "    indented code", "        deeper code",
    # one-line items and what may follow them (blocks._one_line_item)
    "- a", "  - b", "    - c", " - d", "   - e", "- # h", "- > q", "- ```", "- 1. x", "-\tx", "- -", "  text",
    "   text",
]


def _random_document(r: random.Random) -> str:
    lines = []
    for _ in range(r.randint(1, 40)):
        line = r.choice(_LINES)
        roll = r.random()
        if roll < 0.45:
            indent = r.choice([0, 0, 1, 2, 2, 3, 4, 5, 6, 8])
            line = " " * indent + line
        elif roll < 0.5:
            line = "\t" + line
        lines.append(line)
    text = "\n".join(lines)
    ending = r.random()
    if ending < 0.6:
        text += "\n"
    elif ending < 0.7:
        text += "\n   "  # a final whitespace-only line without a newline
    return text


@pytest.mark.slow  # a whole-corpus or thousands-of-documents comparison: .ci/run runs it
def test_same_tokens_on_generated_documents():
    r = random.Random(20261126)
    for n in range(4000):
        text = _random_document(r)
        _assert_same(text, f"generated document {n}")


@pytest.mark.parametrize("text", [
    "", "\n", "   ", "a", "a\n===", "a\n---\n", "- a\n- b\n\n- c\n", "  - a\n    - b\n      - c\n        - d\n",
    "1. a\n2. b\n3) c\n", "text\n1. interrupts\n", "text\n2. does not interrupt\n", "text\n-\n",
    "- ```\n  code\n```\n", "> a\nlazy\n===\n", "para\n    lazy indented\n---\n", "\t- tab item\n\t\tnested\n",
    "- a\n\n\n  b\n", "-\n\n  foo\n", "# h\n```\nunterminated\n# not a heading\n",
    # a one-line item whose blank line is the quote's last: the item ends there
    "> - quoted item\n>\n    \t\n- [ ] open box\n", "- a\nlazy\n- b\n", "- a\n  b\n", "- a\n\n  b\n- c\n",
])
def test_same_tokens_on_edge_cases(text):
    _assert_same(text, repr(text))


def test_deep_nesting_stops_where_markdown_it_stops():
    text = "".join("  " * i + "- level\n" for i in range(60))
    _assert_same(text, "60 nested bullets")


def test_task_list_option_keeps_markdown_it_lists():
    # The ported list rule knows no task checkboxes: with the option on,
    # markdown-it-py's own list rule is used, and tokens still agree.
    text = "- [ ] open\n- [x] done\n  - [X] nested\n\ntext\n1. [ ] numbered\n"
    stock = MarkdownIt("commonmark", {"tasklists": True}).disable("html_block")
    fast = MarkdownIt("commonmark", {"tasklists": True}).disable("html_block")
    assert blocks.install(fast, keep_paragraph_text=True)
    assert _signature(fast.parse(text)) == _signature(stock.parse(text))
    if any(t.meta for t in stock.parse(text)):  # markdown-it-py versions with the option
        assert any(t.meta for t in fast.parse(text))


def test_unknown_rules_leave_the_parser_alone():
    md = MarkdownIt("commonmark").enable("table")
    block = md.block
    assert blocks.install(md) is False
    assert md.block is block
    md2 = MarkdownIt("commonmark").disable("lheading")
    assert blocks.install(md2) is False
    # Installed only on the instance it was given.
    md3 = _parser(True)
    assert type(MarkdownIt("commonmark").block) is not type(md3.block)
