"""A small, conservative reader of bash command lines, for ``run.allow``.

The allowlist must judge every program a command line starts, not just its
first characters: ``cargo --version; touch X`` starts ``touch`` too. This
module splits a command line into its *simple commands* (a program name with
its arguments and redirections) across everything bash treats as a command
boundary: ``;`` ``&&`` ``||`` ``|`` ``|&`` ``&`` newlines, subshells
``( ... )``, groups ``{ ...; }``, command substitutions ``$( ... )`` and
backticks (also inside double quotes and ``${...}``), and process
substitutions ``<( ... )`` ``>( ... )``.

It is deliberately not a full bash parser. Whatever it cannot read with
certainty raises :class:`ShellParseError` so the caller can *refuse* the
command: compound commands (``if``, ``for``, ``while``, ``case``, ``[[``,
``((`` ...), arithmetic ``$((...))``, function definitions, unterminated
quotes, a program name that is not literal text (``$X``, ``$(...)``, globs,
brace expansion), and heredocs whose body bash would expand. Heredocs with a
quoted delimiter (``<<'EOF'``), whose body is plain data, are read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ShellParseError", "SimpleCommand", "quote_context", "simple_commands"]


class ShellParseError(ValueError):
    """The command line cannot be split with certainty; the text says why."""


@dataclass(frozen=True)
class SimpleCommand:
    """One program invocation: ``text`` is its source text (assignments,
    arguments and redirections included, nested substitutions shown as
    written), ``name`` the literal program word (quotes removed)."""

    text: str
    name: str


# Words that open or close a compound command when they stand first: their
# bodies would need a real grammar, so such command lines are refused.
_COMPOUND_WORDS = frozenset(
    "if then else elif fi do done while until for in case esac select function "
    "coproc time [[ ]] ! ((".split()
)
# Characters that end an unquoted word.
_METACHARS = set(" \t\n;&|()<>")
# Unquoted characters that make a program name something other than literal
# text (glob, brace expansion, tilde, history/extglob oddities).
_NON_LITERAL_NAME = set("*?[]{}~!=")


class _Word:
    """A word being read: its literal value (quotes removed) and whether any
    part of it is expanded by bash at run time."""

    __slots__ = ("literal", "expanded", "start", "unquoted_special")

    def __init__(self, start: int) -> None:
        self.literal: list[str] = []
        self.expanded = False
        self.start = start
        self.unquoted_special = False


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.commands: list[SimpleCommand] = []
        self.pending_heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, quoted, strip tabs)
        self.token_end = 0  # where the last word or redirection read ended

    # -- helpers -----------------------------------------------------------

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def fail(self, why: str) -> ShellParseError:
        return ShellParseError(why)

    # -- lists of commands -------------------------------------------------

    def parse_list(self, closer: str | None) -> None:
        """Read simple commands until ``closer`` (``)`` or a backtick) or the
        end of the text; the closer itself is consumed."""
        words: list[_Word] = []
        cmd_start: int | None = None

        def end_command(at: int) -> None:
            nonlocal words, cmd_start
            if cmd_start is not None:
                self.finish_command(words, cmd_start, max(self.token_end, cmd_start))
            words = []
            cmd_start = None

        while True:
            c = self.peek()
            if c == "":
                if closer is not None:
                    raise self.fail(f"missing closing {closer!r}")
                end_command(self.i)
                return
            if closer is not None and c == closer:
                end_command(self.i)
                self.i += 1
                return
            if c in " \t":
                self.i += 1
                continue
            if c == "\\" and self.peek(1) == "\n":  # line continuation
                self.i += 2
                continue
            if c == "\n":
                end_command(self.i)
                self.i += 1
                self.read_heredoc_bodies()
                continue
            if c == "#":
                # A word that starts with '#' begins a comment, which runs
                # to the end of the line (kept out of the judged text).
                while self.peek() not in ("", "\n"):
                    self.i += 1
                continue
            if c == "&" and self.peek(1) == ">":  # &> file, &>> file: a redirection
                if cmd_start is None:
                    cmd_start = self.i
                self.i += 1
                self.read_redirection(words)
                self.token_end = self.i
                continue
            if c in ";&|":
                end_command(self.i)
                self.i += 1
                while self.peek() in (";", "&", "|"):
                    self.i += 1
                continue
            if c == "(":
                if words:
                    raise self.fail("'(' after a word (a function definition?) is not supported")
                if self.peek(1) == "(":
                    raise self.fail("arithmetic '((' is not supported")
                self.i += 1
                self.parse_list(")")  # a subshell: its commands are judged one by one
                continue
            if c == ")":
                raise self.fail("unbalanced ')'")
            if c in "<>":
                if cmd_start is None:
                    cmd_start = self.i
                self.read_redirection(words)
                self.token_end = self.i
                continue
            # A word.
            if cmd_start is None:
                cmd_start = self.i
            word = self.read_word()
            self.token_end = self.i
            if not words and not word.expanded and "".join(word.literal) in ("{", "}"):
                # Group braces: the commands inside are judged on their own.
                cmd_start = None
                continue
            words.append(word)

    def finish_command(self, words: list[_Word], start: int, end: int) -> None:
        # Leading assignments (NAME=value) stay in the judged text: they can
        # change what the program does (PATH=. cargo runs ./cargo).
        name_word = next((w for w in words if not _is_assignment(w)), None)
        text = self.s[start:end].strip()
        if name_word is None:
            self.commands.append(SimpleCommand(text=text, name=""))
            return
        name = "".join(name_word.literal)
        if name_word.expanded or name_word.unquoted_special:
            raise self.fail(f"program name {self.s[name_word.start:name_word.start + 40]!r} is not literal text")
        if name in _COMPOUND_WORDS or name.startswith("(("):
            raise self.fail(f"compound command '{name}' is not supported")
        self.commands.append(SimpleCommand(text=text, name=name))

    # -- words -------------------------------------------------------------

    def read_word(self) -> _Word:
        word = _Word(self.i)
        while True:
            c = self.peek()
            if c == "" or c in _METACHARS:
                if c == "(" and word.literal:
                    raise self.fail("'(' inside a word is not supported")
                return word
            if c == "\\":
                nxt = self.peek(1)
                if nxt == "":
                    raise self.fail("trailing backslash")
                if nxt == "\n":
                    self.i += 2
                    continue
                word.literal.append(nxt)
                self.i += 2
                continue
            if c == "'":
                end = self.s.find("'", self.i + 1)
                if end < 0:
                    raise self.fail("unterminated single quote")
                word.literal.append(self.s[self.i + 1:end])
                self.i = end + 1
                continue
            if c == '"':
                self.i += 1
                self.read_double_quoted(word)
                continue
            if self.read_expansion(word, quoted=False):
                continue
            if c in _NON_LITERAL_NAME:
                word.unquoted_special = True
            word.literal.append(c)
            self.i += 1

    def read_double_quoted(self, word: _Word) -> None:
        while True:
            c = self.peek()
            if c == "":
                raise self.fail("unterminated double quote")
            if c == '"':
                self.i += 1
                return
            if c == "\\":
                nxt = self.peek(1)
                if nxt in ('"', "\\", "$", "`", "\n"):
                    if nxt != "\n":
                        word.literal.append(nxt)
                    self.i += 2
                    continue
                word.literal.append(c)
                self.i += 1
                continue
            if self.read_expansion(word, quoted=True):
                continue
            word.literal.append(c)
            self.i += 1

    def read_expansion(self, word: _Word, quoted: bool) -> bool:
        """Read a ``$...`` or backtick expansion starting here, if any."""
        c = self.peek()
        if c == "$":
            self.read_dollar(word, quoted)
            return True
        if c == "`":
            self.i += 1
            self.read_backticks()
            word.expanded = True
            return True
        return False

    def read_dollar(self, word: _Word, quoted: bool) -> None:
        nxt = self.peek(1)
        if nxt == "(":
            if self.peek(2) == "(":
                raise self.fail("arithmetic '$((' is not supported")
            self.i += 2
            self.parse_list(")")
            word.expanded = True
            return
        if nxt == "{":
            end = self.s.find("}", self.i + 2)
            if end < 0:
                raise self.fail("unterminated '${'")
            inner = self.s[self.i + 2:end]
            # ${x:-$(cmd)} and friends would hide commands; nested braces
            # would end the expansion elsewhere than this simple search.
            if any(tok in inner for tok in ("$", "`", "{", "<(", ">(")):
                raise self.fail("nested expansion inside '${...}' is not supported")
            self.i = end + 1
            word.expanded = True
            return
        if nxt == "'" and not quoted:  # $'...' ANSI-C quoting: literal text
            j = self.i + 2
            while j < len(self.s) and self.s[j] != "'":
                j += 2 if self.s[j] == "\\" else 1
            if j >= len(self.s):
                raise self.fail("unterminated $'...'")
            word.literal.append(self.s[self.i + 2:j])
            word.expanded = True  # escapes make its value unknown here
            self.i = j + 1
            return
        if nxt == '"' and not quoted:  # $"..." locale translation
            self.i += 2
            self.read_double_quoted(word)
            word.expanded = True
            return
        if nxt.isalnum() or nxt in "_@*#?$!-":
            j = self.i + 2
            if nxt.isalpha() or nxt == "_":
                while j < len(self.s) and (self.s[j].isalnum() or self.s[j] == "_"):
                    j += 1
            self.i = j
            word.expanded = True
            return
        word.literal.append("$")  # a lone '$' is literal
        self.i += 1

    def read_backticks(self) -> None:
        """Old-style command substitution: find the closing backtick, undo
        the backslash escapes bash undoes, and read the inside as commands."""
        inner: list[str] = []
        while True:
            c = self.peek()
            if c == "":
                raise self.fail("unterminated backtick")
            if c == "`":
                self.i += 1
                break
            if c == "\\" and self.peek(1) in ("`", "\\", "$"):
                inner.append(self.peek(1))
                self.i += 2
                continue
            inner.append(c)
            self.i += 1
        nested = _Parser("".join(inner))
        nested.parse_list(None)
        if nested.pending_heredocs:
            raise self.fail("heredoc inside backticks is not supported")
        self.commands.extend(nested.commands)

    # -- redirections ------------------------------------------------------

    def read_redirection(self, words: list[_Word]) -> None:
        c, nxt = self.peek(), self.peek(1)
        if nxt == "(":  # process substitution <( ... ) / >( ... )
            self.i += 2
            self.parse_list(")")
            return
        if c == "<" and nxt == "<":
            if self.peek(2) == "<":  # here-string: <<< word
                self.i += 3
                self.skip_blanks()
                self.read_word()
                return
            self.i += 2
            strip = False
            if self.peek() == "-":
                strip = True
                self.i += 1
            self.skip_blanks()
            start = self.i
            word = self.read_word()
            if not word.literal:
                raise self.fail("heredoc without a delimiter")
            raw = self.s[start:self.i]
            quoted = any(q in raw for q in ("'", '"', "\\"))
            self.pending_heredocs.append(("".join(word.literal), quoted, strip))
            return
        # >, >>, <, <>, >|, >&, <&, &> (the & form is read as a separator
        # first, which only splits more finely).
        self.i += 1
        while self.peek() in (">", "|", "&"):
            self.i += 1
        self.skip_blanks()
        if self.peek() in ("", "\n", ";", "|", "(", ")"):
            raise self.fail("redirection without a target")
        self.read_word()

    def skip_blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.i += 1

    def read_heredoc_bodies(self) -> None:
        while self.pending_heredocs:
            delimiter, quoted, strip = self.pending_heredocs.pop(0)
            while True:
                if self.i >= len(self.s):
                    raise self.fail(f"heredoc '{delimiter}' is not terminated")
                end = self.s.find("\n", self.i)
                end = len(self.s) if end < 0 else end
                line = self.s[self.i:end]
                self.i = min(end + 1, len(self.s))
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
                if not quoted and any(ch in line for ch in ("$", "`", "\\")):
                    # An unquoted heredoc body is expanded: $(...) would run.
                    raise self.fail("heredoc with an unquoted delimiter and expansions is not supported")


def _is_assignment(word: _Word) -> bool:
    text = "".join(word.literal)
    name, eq, _ = text.partition("=")
    return bool(eq) and name.isidentifier() and not word.expanded


def simple_commands(text: str) -> list[SimpleCommand]:
    """Every simple command ``text`` runs, each listed when its text ends
    (so a command substitution comes before the command that holds it).

    Raises :class:`ShellParseError` for anything this reader cannot split
    with certainty (see the module docstring).
    """
    if "\x00" in text:
        raise ShellParseError("NUL byte in command")
    parser = _Parser(text)
    parser.parse_list(None)
    if parser.pending_heredocs:
        raise ShellParseError("heredoc body missing")
    return parser.commands


def quote_context(text: str, pos: int) -> str:
    """The quoting in force at ``pos`` of ``text``: ``"none"``, ``"single"``
    or ``"double"`` (used to insert a placeholder value correctly)."""
    state = "none"
    i = 0
    while i < pos and i < len(text):
        c = text[i]
        if state == "single":
            if c == "'":
                state = "none"
        elif c == "\\":
            i += 1
        elif state == "double":
            if c == '"':
                state = "none"
        elif c == "'":
            state = "single"
        elif c == '"':
            state = "double"
        i += 1
    return state
