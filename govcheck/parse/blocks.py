"""markdown-it-py's block parser, dispatched by each line's first character.

markdown-it-py tries every block rule on every line: for a line of log
output pasted into a packet that is nine rule calls (each logging a debug
message) before the paragraph rule takes it, and then, for every following
line of the paragraph, the terminator rules again; ``lheading`` scans the
paragraph once more looking for a setext underline. On 1,200 real-sized
packets that is ~60% of the parse.

Every block rule but ``code``, ``lheading`` and ``paragraph`` starts by
returning False unless the line's first non-space character is its marker
(``#`` for headings, a backtick or tilde for fences, ...). So the rule that
can match a line is known from that character, and only that rule is
called. This module installs, on one ``MarkdownIt`` instance:

* a tokenize loop that calls only the rules whose marker the line starts
  with (in the ruler's order), then the paragraph;
* ``lheading`` and ``paragraph`` as one scan that dispatches terminator
  rules the same way (a port of both, keeping their exact behaviour,
  including ``lheading`` leaving ``parentType`` at "paragraph" when it
  finds no underline);
* a state whose line markers are computed per line, not per character.

All other rules (lists, fences, headings, block quotes, references, code)
are markdown-it-py's own functions, so the token stream is the one
markdown-it-py produces. tests/test_blocks.py compares the two on every
packet of the fixtures, the corpus, the benchmark repo and generated
Markdown. Paragraph ``inline`` tokens carry no content (nobody reads it;
``keep_paragraph_text=True`` restores it, for those tests).

A ruler this module does not know (a plugin rule, ``table`` or
``html_block`` enabled), or a markdown-it-py other than 3.x or 4.x, leaves the
instance untouched: ``install`` returns False and markdown-it-py parses as
usual (slower, same result).
"""

from __future__ import annotations

from itertools import accumulate

import markdown_it
from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block.hr import hr
from markdown_it.rules_block.list import list_block, markTightParagraphs, skipBulletListMarker, skipOrderedListMarker
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.token import Token

try:
    from markdown_it.common.utils import mdTrim
except ImportError:  # markdown-it-py before 4.3 trims with str.strip
    mdTrim = str.strip

# The characters a line must start with (after indentation) for each rule
# to have any chance of matching. Read off each rule's opening checks.
_RULE_MARKERS = {
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "heading": "#",
}
# Rules handled here rather than dispatched.
_OWN_RULES = {"code", "lheading", "paragraph"}


class _Token(Token):
    """A Token built without the dataclass machinery (default factories,
    ``__post_init__``): half a million are made for 1,200 packets."""

    __slots__ = ()

    def __init__(self, type: str, tag: str, nesting: int, level: int) -> None:  # noqa: A002
        self.type = type
        self.tag = tag
        self.nesting = nesting
        self.attrs = {}
        self.map = None
        self.level = level
        self.children = None
        self.content = ""
        self.markup = ""
        self.info = ""
        self.meta = {}
        self.block = True
        self.hidden = False


class _LineState(StateBlock):
    """A StateBlock whose line markers come from one split per line."""

    def __init__(self, src: str, md: MarkdownIt, env, tokens: list, lean: bool = False) -> None:
        super().__init__("", md, env, tokens)
        self.src = src
        self.lean = lean
        length = len(src)
        lines = src.split("\n")
        if src.endswith("\n") or not src:
            lines.pop()  # nothing starts after the last newline
        elif not lines[-1].strip(" \t"):
            # A final whitespace-only line without "\n" gets no marker
            # (as in markdown-it-py's per-character scan).
            lines.pop()
        lens = [len(line) for line in lines]
        shifts = [n - len(line.lstrip(" \t")) for n, line in zip(lens, lines)]
        begins = [0, *accumulate(n + 1 for n in lens)]
        begins.pop()
        ends = [b + n for b, n in zip(begins, lens)]
        counts = shifts
        if "\t" in src:
            counts = [_columns(line[:k]) if k and "\t" in line[:k] else k for line, k in zip(lines, shifts)]
        self.bMarks = begins + [length]
        self.eMarks = ends + [length]
        self.tShift = shifts + [0]
        self.sCount = list(counts) + [0]
        self.bsCount = [0] * (len(lines) + 1)
        self.lineMax = len(lines)

    def push(self, ttype: str, tag: str, nesting) -> Token:
        # StateBlock.push, with the cheaper token.
        if nesting < 0:
            self.level -= 1
            if self.lean and ttype in _UNREAD_CLOSINGS:
                return _DISCARDED  # the rule may still set its markup: nobody reads it
        token = _Token(ttype, tag, nesting, self.level)
        if nesting > 0:
            self.level += 1
        self.tokens.append(token)
        return token


# What a lean parse leaves out: closing tokens whose opening token carries
# everything a reader of the block structure needs (its line map), and
# which no block rule looks back at. List and quote closings stay: a
# reader counts nesting depth with them.
_UNREAD_CLOSINGS = frozenset({"list_item_close", "paragraph_close", "heading_close"})
_DISCARDED = _Token("discarded", "", -1, 0)


def _columns(indent: str) -> int:
    """Width of leading spaces and tabs, tabs to the next multiple of 4."""
    offset = 0
    for ch in indent:
        offset += 4 - offset % 4 if ch == "\t" else 1
    return offset


class _DispatchingParserBlock(ParserBlock):
    def __init__(self, ruler, keep_paragraph_text: bool, tasklists: bool = False, lean: bool = False) -> None:
        super().__init__()
        self.ruler = ruler
        self.keep_paragraph_text = keep_paragraph_text
        self.lean = lean
        rules = {r.name: r.fn for r in ruler.__rules__ if r.enabled}
        self._code = rules["code"]
        # The list rule is ported below (markdown-it-py's, minus its
        # per-call logging and option lookups) where it is the stock one.
        own = {"list": self._list} if rules.get("list") is list_block and not tasklists else {}
        self._starts = _dispatch_table(
            [(n, own.get(n, rules[n])) for n in ruler.get_active_rules() if n not in _OWN_RULES]
        )
        self._paragraph_terminators = _dispatch_table(
            [(r.name, own.get(r.name, r.fn)) for r in ruler.__rules__ if r.enabled and "paragraph" in r.alt]
        )
        self._list_terminators = _dispatch_table(
            [(r.name, r.fn) for r in ruler.__rules__ if r.enabled and "list" in r.alt]
        )

    def parse(self, src, md, env, outTokens):
        if not src:
            return None
        state = _LineState(src, md, env, outTokens, self.lean)
        self.tokenize(state, state.line, state.lineMax)
        return state.tokens

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        # A port of ParserBlock.tokenize; only the rule loop differs.
        bMarks, eMarks, tShift, sCount = state.bMarks, state.eMarks, state.tShift, state.sCount
        maxNesting = state.md.options.maxNesting
        starts = self._starts
        line = startLine
        hasEmptyLines = False

        while line < endLine:
            lineMax = state.lineMax
            while line < lineMax and bMarks[line] + tShift[line] >= eMarks[line]:
                line += 1
            state.line = line
            if line >= endLine:
                break
            if sCount[line] < state.blkIndent:
                break  # end of a nested block (list item, block quote)
            if state.level >= maxNesting:
                state.line = endLine
                break

            if sCount[line] - state.blkIndent >= 4:
                ok = self._code(state, line, endLine, False)
            else:
                ok = _dispatch(starts, state, line, endLine, False) or self._paragraph(state, line, endLine)
            if not ok:  # pragma: no cover - the paragraph always matches
                raise RuntimeError("none of the block rules matched")
            if state.line <= line:  # pragma: no cover - markdown-it-py's own guard
                raise RuntimeError("block rule didn't increment state.line")

            state.tight = not hasEmptyLines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                hasEmptyLines = True
            if line < endLine and state.isEmpty(line):
                hasEmptyLines = True
                line += 1
                state.line = line

    def _list(self, state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        return _list_block(self, state, startLine, endLine, silent)

    def _terminates(self, state: StateBlock, line: int, endLine: int) -> bool:
        return _dispatch(self._paragraph_terminators, state, line, endLine, True)

    def _paragraph(self, state: StateBlock, startLine: int, endLine: int) -> bool:
        """``lheading`` then ``paragraph``, as one scan (the lines either
        rule walks, and the terminators it checks, are the same)."""
        src = state.src
        bMarks, eMarks, tShift, sCount = state.bMarks, state.eMarks, state.tShift, state.sCount
        blkIndent = state.blkIndent
        oldParentType = state.parentType
        state.parentType = "paragraph"
        level = 0
        marker = ""
        nextLine = startLine + 1
        limit = endLine
        while True:
            if nextLine >= limit:
                if limit < state.lineMax:
                    # lheading stops at endLine; paragraph reads on to lineMax.
                    limit = state.lineMax
                    continue
                break
            pos = bMarks[nextLine] + tShift[nextLine]
            maximum = eMarks[nextLine]
            if pos >= maximum:
                break  # empty line
            indent = sCount[nextLine]
            if indent - blkIndent > 3:
                nextLine += 1  # lazy continuation, whatever it holds
                continue
            ch = src[pos]
            if indent >= blkIndent and limit == endLine and (ch == "-" or ch == "="):
                rest = src[pos:maximum].rstrip(" \t")
                if rest.count(ch) == len(rest):
                    level = 1 if ch == "=" else 2
                    marker = ch
                    break
            if indent < 0:  # block quote quirk, as in markdown-it-py
                nextLine += 1
                continue
            if self._terminates(state, nextLine, limit):
                break
            nextLine += 1

        if level:
            content = mdTrim(state.getLines(startLine, nextLine, blkIndent, False))
            state.line = nextLine + 1
            token = state.push("heading_open", "h" + str(level), 1)
            token.markup = marker
            token.map = [startLine, state.line]
            token = state.push("inline", "", 0)
            token.content = content
            token.map = [startLine, state.line - 1]
            token.children = []
            token = state.push("heading_close", "h" + str(level), -1)
            token.markup = marker
            state.parentType = oldParentType
            return True

        # No underline: lheading returned False without restoring
        # parentType, so paragraph saves and restores "paragraph".
        state.line = nextLine
        self._push_paragraph(state, startLine, nextLine)
        return True

    def _push_paragraph(self, state: StateBlock, startLine: int, nextLine: int) -> None:
        """The tokens of a paragraph of lines ``startLine`` to ``nextLine``
        (exclusive); parentType left at "paragraph", as markdown-it-py leaves it."""
        token = state.push("paragraph_open", "p", 1)
        token.map = [startLine, nextLine]
        if self.lean and not self.keep_paragraph_text:
            # its inline token would carry no text: a lean parse leaves it out
            state.push("paragraph_close", "p", -1)
            state.parentType = "paragraph"
            return
        token = state.push("inline", "", 0)
        token.content = (
            mdTrim(state.getLines(startLine, nextLine, state.blkIndent, False)) if self.keep_paragraph_text else ""
        )
        token.map = [startLine, nextLine]
        token.children = []
        state.push("paragraph_close", "p", -1)
        state.parentType = "paragraph"


def _list_block(self, state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it-py's ``list_block`` (rules_block/list.py), line for line,
    for a parser without the ``tasklists`` option; terminators dispatched
    by first character."""
    src = state.src
    bMarks, eMarks, tShift, sCount = state.bMarks, state.eMarks, state.tShift, state.sCount
    isTerminatingParagraph = False
    tight = True

    if sCount[startLine] - state.blkIndent >= 4:
        return False

    # Special case: a bullet indented 4+ past the enclosing list's indent,
    # but less than the item content, continues the paragraph.
    if state.listIndent >= 0 and sCount[startLine] - state.listIndent >= 4 and sCount[startLine] < state.blkIndent:
        return False

    # A list can interrupt a paragraph only under conditions (checked below).
    if silent and state.parentType == "paragraph" and sCount[startLine] >= state.blkIndent:
        isTerminatingParagraph = True

    posAfterMarker = skipOrderedListMarker(state, startLine)
    if posAfterMarker >= 0:
        isOrdered = True
        start = bMarks[startLine] + tShift[startLine]
        markerValue = int(src[start : posAfterMarker - 1])
        # An ordered list interrupting a paragraph must start with 1.
        if isTerminatingParagraph and markerValue != 1:
            return False
    else:
        posAfterMarker = skipBulletListMarker(state, startLine)
        if posAfterMarker >= 0:
            isOrdered = False
        else:
            return False

    # A list interrupting a paragraph may not start with an empty item.
    if isTerminatingParagraph and state.skipSpaces(posAfterMarker) >= eMarks[startLine]:
        return False

    markerChar = src[posAfterMarker - 1]
    if silent:
        return True

    listTokIdx = len(state.tokens)
    if isOrdered:
        token = state.push("ordered_list_open", "ol", 1)
        if markerValue != 1:
            token.attrs = {"start": markerValue}
    else:
        token = state.push("bullet_list_open", "ul", 1)
    token.map = listLines = [startLine, 0]
    token.markup = markerChar

    nextLine = startLine
    prevEmptyEnd = False
    terminators = self._list_terminators
    oldParentType = state.parentType
    state.parentType = "list"
    bsCount = state.bsCount

    while nextLine < endLine:
        pos = posAfterMarker
        maximum = eMarks[nextLine]
        initial = offset = sCount[nextLine] + posAfterMarker - (bMarks[startLine] + tShift[startLine])
        while pos < maximum:
            ch = src[pos]
            if ch == "\t":
                offset += 4 - (offset + bsCount[nextLine]) % 4
            elif ch == " ":
                offset += 1
            else:
                break
            pos += 1
        contentStart = pos

        # trimming space in "-    \n  3" case, indent is 1 here
        indentAfterMarker = 1 if contentStart >= maximum else offset - initial
        # More than 4 spaces: the indent is 1 (the rest is an indented code block).
        if indentAfterMarker > 4:
            indentAfterMarker = 1
        indent = initial + indentAfterMarker

        token = state.push("list_item_open", "li", 1)
        token.markup = markerChar
        token.map = itemLines = [startLine, 0]
        if isOrdered:
            token.info = src[start : posAfterMarker - 1]

        oldTight = state.tight
        oldTShift = tShift[startLine]
        oldSCount = sCount[startLine]
        oldListIndent = state.listIndent
        state.listIndent = state.blkIndent
        state.blkIndent = indent
        state.tight = True
        tShift[startLine] = contentStart - bMarks[startLine]
        sCount[startLine] = offset

        if contentStart >= maximum and state.isEmpty(startLine + 1):
            # An empty item followed by a blank line ends the list.
            state.line = min(state.line + 2, endLine)
        elif not _one_line_item(self, state, startLine, endLine):
            self.tokenize(state, startLine, endLine)

        if (not state.tight) or prevEmptyEnd:
            tight = False
        # An item ending with an empty line makes the list loose, unless it is the last.
        prevEmptyEnd = (state.line - startLine) > 1 and state.isEmpty(state.line - 1)

        state.blkIndent = state.listIndent
        state.listIndent = oldListIndent
        tShift[startLine] = oldTShift
        sCount[startLine] = oldSCount
        state.tight = oldTight

        token = state.push("list_item_close", "li", -1)
        token.markup = markerChar

        nextLine = startLine = state.line
        itemLines[1] = nextLine
        if nextLine >= endLine:
            break

        # Is the list continued or terminated?
        if sCount[nextLine] < state.blkIndent:
            break
        if sCount[startLine] - state.blkIndent >= 4:
            break
        if _dispatch(terminators, state, nextLine, endLine, True):
            break

        # A different list type ends the list.
        if isOrdered:
            posAfterMarker = skipOrderedListMarker(state, nextLine)
            if posAfterMarker < 0:
                break
            start = bMarks[nextLine] + tShift[nextLine]
        else:
            posAfterMarker = skipBulletListMarker(state, nextLine)
            if posAfterMarker < 0:
                break
        if markerChar != src[posAfterMarker - 1]:
            break

    if isOrdered:
        token = state.push("ordered_list_close", "ol", -1)
    else:
        token = state.push("bullet_list_close", "ul", -1)
    token.markup = markerChar
    listLines[1] = nextLine
    state.line = nextLine
    state.parentType = oldParentType
    if tight:
        if not self.lean:  # it marks paragraphs hidden, walking tokens a lean parse leaves out
            markTightParagraphs(state, listTokIdx)
    return True


def _one_line_item(self, state: StateBlock, startLine: int, endLine: int) -> bool:
    """The tokens ``tokenize`` makes for a list item that is one line of
    paragraph text (``- TASK_ID: WP-1``: most items of a packet), made
    directly; False (nothing pushed) for any other item.

    Decided before anything is pushed, from what ``tokenize`` and
    ``_paragraph`` would look at: the item's line starts no block (its
    first character opens no rule, it is not indented code), and the next
    line ends the paragraph and the item (a blank line followed by a line
    left of the item's indent or the end, or a line left of the item's
    indent that some rule starts). A line the paragraph would take as lazy
    continuation, a nesting limit, a text end inside the item: the full
    path."""
    bMarks, eMarks, sCount = state.bMarks, state.eMarks, state.sCount
    blkIndent = state.blkIndent
    pos = bMarks[startLine] + state.tShift[startLine]
    if (pos >= eMarks[startLine] or state.level >= state.md.options.maxNesting
            or not 0 <= sCount[startLine] - blkIndent < 4 or state.src[pos] in self._starts):
        return False
    nextLine = startLine + 1
    if nextLine >= endLine:
        return False  # the paragraph may read on past endLine
    if bMarks[nextLine] + state.tShift[nextLine] >= eMarks[nextLine]:
        # A blank line ends the paragraph; the item ends at the next line
        # that is not blank when it is left of the item's indent.
        # (tokenize's loop stops at endLine before skipping blank lines.)
        after = nextLine + 1
        if after < endLine:
            lineMax = state.lineMax
            while after < lineMax and bMarks[after] + state.tShift[after] >= eMarks[after]:
                after += 1
            if after < endLine and sCount[after] >= blkIndent:
                return False
    else:
        after = nextLine
        if not 0 <= sCount[nextLine] < blkIndent:
            return False
        if not _next_bullet(state, nextLine):
            oldParentType = state.parentType
            state.parentType = "paragraph"  # what _paragraph sets before asking the terminators
            if not self._terminates(state, nextLine, endLine):
                state.parentType = oldParentType
                return False  # lazy continuation
    if self.lean:
        state.parentType = "paragraph"  # as the paragraph's tokens would have left it
    else:
        self._push_paragraph(state, startLine, nextLine)
    state.tight = True
    state.line = after
    return True


def _next_bullet(state: StateBlock, line: int) -> bool:
    """True when ``line``, left of the current item's indent, is a bullet
    the list rule would accept (silently) as ending a paragraph: the next
    item of most lists, answered without asking every terminator rule.
    (False only means "ask them": a line indented 4+ past the list's own
    indent, an ordered marker, anything else.)"""
    src = state.src
    pos = state.bMarks[line] + state.tShift[line]
    maximum = state.eMarks[line]
    if src[pos] not in "-*+" or (pos + 1 < maximum and src[pos + 1] not in " \t"):
        return False
    return not (state.listIndent >= 0 and state.sCount[line] - state.listIndent >= 4)


def _dispatch(table: dict, state: StateBlock, line: int, endLine: int, silent: bool) -> bool:
    """Call, in order, the rules of ``table`` that may match ``line`` (by its
    first character); True at the first that does."""
    src = state.src
    pos = state.bMarks[line] + state.tShift[line]
    ch = src[pos] if pos < len(src) else ""
    for rule in table.get(ch, ()):
        if rule is hr and not _may_be_hr(src, pos, state.eMarks[line], ch):
            continue
        if rule(state, line, endLine, silent):
            return True
    return False


def _may_be_hr(src: str, pos: int, maximum: int, marker: str) -> bool:
    """False when markdown-it-py's ``hr`` must fail: it stops at the first
    character after the marker that is neither the marker nor a space, and
    needs three markers. (Most lines starting with "-" are bullets.)"""
    following = src[pos + 1 : maximum].lstrip(" \t")
    return following[:1] == marker


def _dispatch_table(rules: list[tuple[str, object]]) -> dict[str, tuple]:
    table: dict[str, list] = {}
    for name, fn in rules:
        for ch in _RULE_MARKERS[name]:
            table.setdefault(ch, []).append(fn)
    return {ch: tuple(fns) for ch, fns in table.items()}


def _tested_version(version: str) -> bool:
    """The ports here follow markdown-it-py 3.0 to 4.3 (tests compare the
    tokens with the installed version; run on 3.0.0, 4.0.0, 4.2.0, 4.3.0);
    another major version parses as stock."""
    try:
        major = int(version.split(".")[0])
    except ValueError:
        return False
    return major in (3, 4)


def install(md: MarkdownIt, *, keep_paragraph_text: bool = False, lean: bool = False) -> bool:
    """Make ``md`` parse blocks by first-character dispatch. Returns False
    (and changes nothing) when its rules are not the ones this knows.

    ``lean``: only the tokens a reader of the block structure that takes
    text from the lines (as the packet parser does) looks at. A list item
    that is one line of text gets no paragraph tokens; a paragraph has no
    inline token (it would carry no text); list items, paragraphs and
    headings have no closing token (their opening token's line map says
    where they end); paragraphs are not marked hidden in tight lists. Of
    the ~290 tokens of a packet, about half. Every other token is
    markdown-it-py's."""
    if mdTrim is None or not _tested_version(markdown_it.__version__):
        return False
    ruler = md.block.ruler
    active = set(ruler.get_active_rules())
    if not _OWN_RULES <= active or not active <= _OWN_RULES | set(_RULE_MARKERS):
        return False
    if any(r.enabled and "paragraph" in r.alt and r.name not in _RULE_MARKERS for r in ruler.__rules__):
        return False
    md.block = _DispatchingParserBlock(ruler, keep_paragraph_text, bool(md.options.get("tasklists", False)), lean)
    core = md.core.ruler
    core_active = core.get_active_rules()
    if "normalize" in core_active:
        core.at("normalize", _normalize)
    if "text_join" in core_active and "inline" not in core_active:
        # text_join merges inline children; with no inline pass there are none.
        core.disable("text_join")
    return True


def _normalize(state) -> None:
    # markdown-it-py's normalize, without two regex passes over text that
    # has no CR or NUL to replace (most packets).
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src
