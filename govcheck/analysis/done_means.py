"""The DONE_MEANS checklist: which criteria are real, observable and evidenced.

Shared by the DONE_MEANS rules and by the engine, which puts the checklist
in every report."""

from __future__ import annotations

import difflib
import functools
import re
from typing import TYPE_CHECKING, Sequence

from govcheck.analysis.era import Since
from govcheck.analysis.text import line_number
from govcheck.errors import GovcheckError
from govcheck.model import CriterionStatus, EvidenceMapping, Packet

if TYPE_CHECKING:
    from govcheck.engine.context import Context

_PLACEHOLDER_RE = re.compile(
    r"^\s*(?:tbd|todo|n/?a|\.\.\.|-)\.?\s*$|\{\{[^}]*\}\}|<fill[^>]*>|<pending>|<tbd>|measurable criterion \d+|\bcriterion \d+\b"
    # A template's slot in angle brackets (Given <context>, When <action>):
    # lower-case words, outside code spans (checked by the caller), and no
    # HTML tag a criterion may carry (<br>, <kbd>).
    r"|(?-i:(?<![\w/<])<(?!(?:br|p|b|i|u|s|em|strong|code|kbd|sub|sup|del|ins|mark|small|pre|hr|wbr|span|div|details"
    r"|summary)>)[a-z]+(?:[ _-][a-z]+){0,3}>(?![\w/>]))",
    re.I,
)
# Words that make a criterion checkable: something a reviewer can observe.
_FILE_EXTENSIONS = r"rs|ts|tsx|py|md|json|sql|toml|yaml|yml|js|mjs"
_FILE_NAME = rf"[\w-]+\.(?:{_FILE_EXTENSIONS})\b"
_OBSERVABLE_WORDS = (
    r"pass(?:es|ed)?|fail(?:s|ed)?|return(?:s|ed)?|exit(?:s|ed)?|emit(?:s|ted)?|log(?:s|ged)?|reject(?:s|ed)?"
    r"|show(?:s|n)?|display(?:s|ed)?|render(?:s|ed)?|contain(?:s|ed)?|exist(?:s)?|record(?:s|ed)?|writ(?:es|ten)"
    r"|persist(?:s|ed)?|error(?:s)?|respond(?:s)?|assert(?:s|ed)?|test(?:s|ed)?|validat(?:es|ed)|print(?:s|ed)?"
    r"|match(?:es|ed)?|equal(?:s)?|no longer|never|must|block(?:s|ed)?|requir(?:es|ed)|expose(?:s|d)?|enforc(?:es|ed)"
    r"|store(?:s|d)?|include(?:s|d)?|cover(?:s|ed)?|document(?:s|ed)?|list(?:s|ed)?|mapp(?:ed|ing)|zero|none|all|every"
    r"|clean|green|build(?:s)?|compile(?:s)?|run(?:s)?|generat(?:es|ed)|produc(?:es|ed)|uses?|added|removed|present|absent"
)
_OBSERVABLE_RE = re.compile(rf"`|\d|{_FILE_NAME}|::|\(\)|==|->|\b(?:{_OBSERVABLE_WORDS})\b", re.I)

# _OBSERVABLE_RE taken apart, for observable(): one search of the whole
# alternation tries ~70 words at every position of the text, while the
# words can only ever match whole \w+ tokens (``\b`` on both sides of word
# characters), and tokens repeat from criterion to criterion.
# A file name is there exactly when some "." has a [\w-] character before it
# and an extension after it; starting the pattern with the "." lets the
# regex engine jump from dot to dot instead of trying every word.
_FILE_NAME_RE = re.compile(rf"\.(?<=[\w-]\.)(?:{_FILE_EXTENSIONS})\b", re.I)
_DIGIT_RE = re.compile(r"\d")
_TOKEN_RE = re.compile(r"\w+")
_OBSERVABLE_WORD_RE = re.compile(rf"(?:{_OBSERVABLE_WORDS})", re.I)
# The one alternative that is not a single token.
_NO_LONGER_RE = re.compile(r"\bno longer\b", re.I)


@functools.lru_cache(maxsize=8192)
def _observable_word(token: str) -> bool:
    return _OBSERVABLE_WORD_RE.fullmatch(token) is not None


def observable(text: str) -> bool:
    """``_OBSERVABLE_RE.search(text) is not None``, one alternative at a
    time: the literal ones by substring tests, the digit and file-name ones
    by their own regexes, ``no longer`` by its own
    regex when the lower-cased text holds it (no i or s in it, see
    analysis/text.py), and the words by testing each \\w+ token once."""
    if "`" in text or "::" in text or "()" in text or "==" in text or "->" in text:
        return True
    if _DIGIT_RE.search(text) or _FILE_NAME_RE.search(text):
        return True
    if "no longer" in text.lower() and _NO_LONGER_RE.search(text):
        return True
    return any(map(_observable_word, _TOKEN_RE.findall(text)))


_VAGUE_RE = re.compile(
    r"\b(?:works?|working|properly|correctly|as expected|good|better|nice|improved?|robust|clean up|looks? (?:ok|good)|ok)\b",
    re.I,
)
_TESTS_PASS_RE = re.compile(r"\b(?:tests?|test_plan|cargo test|pytest|pnpm test|just)\b.*\b(?:pass|green|succeed)", re.I)


_CODE_SPAN_RE = re.compile(r"`[^`]*`")
_WORD_RE = re.compile(r"[A-Za-z]+")

# The text predicates below are pure functions of one criterion's text, and
# each criterion is asked about by several rules (placeholder, vague,
# unevidenced) while packets repeat criteria: cached by text.


@functools.lru_cache(maxsize=8192)
def is_placeholder(text: str) -> bool:
    # A criterion may *talk about* placeholders in code: "`{{...}}` are
    # rejected". Only text outside backticks can be a placeholder.
    return bool(_PLACEHOLDER_RE.search(_CODE_SPAN_RE.sub("code", text) if "`" in text else text))


@functools.lru_cache(maxsize=8192)
def is_vague(text: str) -> bool:
    """A criterion with no observable outcome: short and made of words a
    reviewer cannot check (``Works properly.``, ``Feature complete``)."""
    words = _WORD_RE.findall(text)
    if not words:
        return True
    if observable(text):
        return False
    # "correctly" in a long sentence that names real behaviour is not vague;
    # "Works correctly." is.
    return len(words) < 5 or (len(words) < 8 and bool(_VAGUE_RE.search(text)))


@functools.lru_cache(maxsize=8192)
def says_tests_pass(text: str) -> bool:
    return bool(_TESTS_PASS_RE.search(text))


@functools.lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    # Cached: every criterion is compared with every REQUIREMENT of its
    # packet, so each requirement would be normalised once per criterion.
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b``, by the
    bit-parallel algorithm (Hyyrö 2004): one big-int step per character of
    ``b`` instead of a len(a) x len(b) table."""
    masks = _char_masks(a)
    full = (1 << len(a)) - 1
    v = full  # a 0 bit per character of ``a`` matched so far
    for ch in b:
        m = masks.get(ch)
        if m is not None:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


@functools.lru_cache(maxsize=256)
def _char_masks(a: str) -> dict[str, int]:
    """Character -> bit mask of its positions in ``a`` (bit i = a[i]).
    Cached: a criterion is compared with every REQUIREMENT of its packet.
    Callers must not change the dict."""
    masks: dict[str, int] = {}
    bit = 1
    for ch in a:
        masks[ch] = masks.get(ch, 0) | bit
        bit <<= 1
    return masks


def _ratio(matches: int, length: int) -> float:
    # difflib's own formula (SequenceMatcher ratio, quick_ratio ...), so a
    # bound and the ratio it bounds are compared in the same arithmetic.
    return 2.0 * matches / length if length else 1.0


def may_reach_ratio(a: str, b: str, floor: float) -> bool:
    """False only when ``SequenceMatcher(None, a, b).ratio()`` is certainly
    below ``floor``. The matching blocks SequenceMatcher finds form a common
    subsequence of the two strings (in order in both), so their total size
    is at most the longest common subsequence: 2 * LCS / (len(a) + len(b))
    bounds ratio() from above, more tightly than quick_ratio() (which
    ignores order), at a tenth of the cost of ratio() on criterion-sized
    strings."""
    total = len(a) + len(b)
    if _ratio(min(len(a), len(b)), total) < floor:  # real_quick_ratio
        return False
    return _ratio(lcs_length(a, b), total) >= floor


def match_mapping(criterion: str, mappings: Sequence[EvidenceMapping]) -> EvidenceMapping | None:
    """The EVIDENCE_MAPPING entry whose REQUIREMENT quotes this criterion
    (exactly, as a prefix either way, or closely enough: ratio >= 0.75)."""
    want = _norm(criterion)
    best, best_ratio = None, 0.0
    for m in mappings:
        got = _norm(m.requirement)
        if not got:
            continue
        if got == want or want.startswith(got) or got.startswith(want):
            return m
        # Skip the expensive exact ratio when even an upper bound of it
        # cannot win (a ratio below the floor never changes the answer).
        floor = max(best_ratio, 0.75)
        if not may_reach_ratio(want, got, floor):
            continue
        ratio = difflib.SequenceMatcher(None, want, got).ratio()
        if ratio > best_ratio:
            best, best_ratio = m, ratio
    return best if best_ratio >= 0.75 else None


def evidence_exists(ctx: Context, ref: str) -> bool:
    """``path:line`` (or ``path:start-end``) names an existing file with at
    least that many lines."""
    m = re.match(r"^(.+?):(\d+)(?:-(\d+))?$", ref)
    if not m:
        return False
    path, line = m.group(1).lstrip("./"), line_number(m.group(3) or m.group(2))
    if not ctx.repo.is_file(path):
        return False
    try:
        return ctx.repo.read_bytes(path).count(b"\n") + 1 >= line
    except (OSError, GovcheckError):
        return False


def criteria_status(packet: Packet, ctx: Context) -> tuple[CriterionStatus, ...]:
    """Every DONE_MEANS criterion with the state of its evidence, for the
    report's checklist (computed once per packet and run)."""
    return ctx.memo(f"criteria:{packet.id}:{packet.sha256}", lambda: _criteria_status(packet, ctx))


# EVIDENCE_MAPPING (REQUIREMENT / EVIDENCE pairs per DONE_MEANS criterion)
# came with the 2026-02-01 packet template: done-means-unevidenced applies
# from then, and the checklist of an older packet does not ask for it.
EVIDENCE_MAPPING_SINCE = Since(format_version="2026-02-01", why=(
    "EVIDENCE_MAPPING (a REQUIREMENT and its EVIDENCE path:line per DONE_MEANS criterion) first appears in the "
    "2026-02-01 packet template; no packet written before it has one, so older packets are not judged by it."))


def _criteria_status(packet: Packet, ctx: Context) -> tuple[CriterionStatus, ...]:
    if packet.done_means is None:
        return ()
    done = packet.status_class == "done"
    out = []
    for item in packet.done_means.items:
        if is_placeholder(item.text):
            # Not a criterion yet: done-means-placeholder reports it once.
            out.append(CriterionStatus(item.text, item.line, "placeholder", (), "a template placeholder, not a criterion"))
            continue
        mapping = match_mapping(item.text, packet.evidence_mappings)
        refs = mapping.evidence if mapping else ()
        existing = tuple(r for r in refs if evidence_exists(ctx, r))
        if existing:
            status, note = "evidenced", None
        elif mapping and refs:
            status, note = "unevidenced", f"mapped evidence not found in the repo: {', '.join(refs[:3])}"
        elif mapping:
            status, note = "unevidenced", "EVIDENCE_MAPPING entry has no path:line"
        elif says_tests_pass(item.text):
            status, note = _tests_outcome(packet, ctx)
        elif done and ctx.config.profile.eras and not EVIDENCE_MAPPING_SINCE.applies_to(packet):
            status, note = "not-required", "no EVIDENCE_MAPPING entry; the packet predates EVIDENCE_MAPPING"
        elif done and not ctx.config.profile.eras and not _keeps_evidence_mapping(packet, ctx):
            status, note = "not-required", "no EVIDENCE_MAPPING entry; the packet keeps no EVIDENCE_MAPPING"
        else:
            status, note = ("unevidenced" if done else "not-required"), "no EVIDENCE_MAPPING entry"
        out.append(CriterionStatus(item.text, item.line, status, existing or refs, note))
    return tuple(out)


def _keeps_evidence_mapping(packet: Packet, ctx: Context) -> bool:
    """Whether a packet of a profile without eras is held to evidence per
    criterion: it keeps an EVIDENCE_MAPPING, or the profile requires one
    (``required_fields: [evidence_mapping]``). A team that maps no evidence
    is not failed for lacking a section it never writes."""
    return bool(packet.evidence_mappings) or packet.field("EVIDENCE_MAPPING") is not None or any(
        f.lower() == "evidence_mapping" for f in ctx.config.profile.required_fields)


def _tests_outcome(packet: Packet, ctx: Context) -> tuple[str, str]:
    """A "tests pass" criterion takes the TEST_PLAN outcome of this run."""
    results = ctx.commands.get(packet.id, ()) if ctx.ran_commands else ()
    if not results:
        return "linked-to-tests", "checked by the TEST_PLAN outcome (not run in this pass)"
    passed = sum(1 for r in results if r.status == "passed")
    cached = " (cached)" if any(r.cached for r in results) else ""
    if passed == len(results):
        return "tests-passed", f"all {passed} TEST_PLAN command(s) passed{cached}"
    return "tests-failed", f"{len(results) - passed} of {len(results)} TEST_PLAN command(s) did not pass{cached}"
