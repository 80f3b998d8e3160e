"""``govcheck init``: a starter govcheck.yaml for the layout found.

Two cases:

* the reference layout (``.GOV/`` or ``docs/SPEC_CURRENT.md``): profile
  ``handshake`` and the locations the repository view finds;
* anything else: profile ``generic``, with what detection found, each guess
  said in a comment: the folder of Markdown task files whose names share an
  id (``tasks/TASK-001.md``; a folder per task, ``work/PAY-12/task.md``),
  the spec files with a version in their names
  (``payments-spec-v1.2.md``), the pointer naming the current one (else
  ``spec_current: latest``), the packets' own names for the fields govcheck
  reads, and their status words by meaning.

Detection is bounded (folders walked, files read, bytes read), skips hidden,
vendored and build folders, and never follows a link out of the repo. The
config is checked before it is written: it must load, find the packets
detection saw and resolve the current spec; a starter that would not work
is a bug, never a file left behind.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from govcheck.engine.loader import known_rule_options, open_repo
from govcheck.errors import GovcheckError, UsageError
from govcheck.model.profile import STATUS_MEANINGS, field_key, internal_field, spec_file_regex
from govcheck.parse.front_matter import read_front_matter
from govcheck.parse.packet import parse_packet
from govcheck.parse.text import decode
from govcheck.parse.versions import version_key
from govcheck.parse.vocabulary import normalize_status
from govcheck.repo.config import YAML_NAMES, load_config, read_repo_file
from govcheck.repo.profiles import GENERIC, build_profile, detect_profile
from govcheck.repo.repository import DEFAULT_EXCLUDE, LayoutConfig, Repo
from govcheck.rules import all_rules
from govcheck.util.fsutil import atomic_write_bytes

# -- bounds -----------------------------------------------------------------

MAX_DEPTH = 6  # folder levels below the root
MAX_DIRS = 2_000  # folders listed
MAX_READS = 300  # files read
MAX_READ_BYTES = 4 * 1024 * 1024  # bytes read in all
READ_CAP = 64 * 1024  # bytes read of one file
SAMPLE = 40  # packets read for field names and statuses
SCORE_SAMPLE = 6  # files read per candidate folder when choosing one
POINTER_MAX_BYTES = 4 * 1024  # an unnamed pointer file is small

# Never walked: dependencies, build output, virtual environments (hidden
# folders, ``.git`` among them, are skipped too).
SKIP_DIRS = frozenset({
    "node_modules", "bower_components", "vendor", "vendored", "third_party", "third-party",
    "site-packages", "__pycache__", "venv", "env", "dist", "build", "target", "_build", "Pods",
})
# Folder names that say "tasks live here".
HINT_DIRS = frozenset({"tasks", "task", "packets", "work", "changes", "tickets", "issues", "stories",
                       "backlog", "todo", "requests", "cards", "items", "epics", "features"})
# Id prefixes of documents that are not tasks (decision records, RFCs).
NOT_TASKS = frozenset({"ADR", "RFC", "DECISION", "MADR"})
POINTER_NAMES = ("CURRENT.md", "SPEC_CURRENT.md", "SPEC-CURRENT.md", "CURRENT_SPEC.md", "CURRENT",
                 "current.md", "current.txt", "LATEST.md", "latest.md", "VERSION.md", "VERSION")

# -- what names and words mean ----------------------------------------------

# field_key of a name a team writes -> the canonical field it is.
FIELD_NAMES: Mapping[str, str] = {
    **dict.fromkeys(("DONE_MEANS", "ACCEPTANCE_CRITERIA", "ACCEPTANCE", "DEFINITION_OF_DONE", "DOD",
                     "DONE_WHEN", "DONE_CRITERIA", "EXIT_CRITERIA", "SUCCESS_CRITERIA",
                     "ACCEPTANCE_CRITERION", "CRITERIA"), "done_means"),
    **dict.fromkeys(("TEST_PLAN", "TESTS", "TESTING", "TEST", "VERIFICATION", "VERIFY", "HOW_TO_TEST",
                     "HOW_TO_VERIFY", "TEST_COMMANDS", "VALIDATION_PLAN", "CHECKS", "HOW_WE_TEST",
                     "HOW_WE_VERIFY", "HOW_TO_CHECK", "TEST_STEPS", "TESTING_NOTES", "QA", "QA_PLAN"), "test_plan"),
    **dict.fromkeys(("SPEC", "SPEC_VERSION", "SPECIFICATION", "SPEC_FILE", "SPEC_REF", "TARGET_SPEC",
                     "SPEC_VER"), "spec_version"),
    **dict.fromkeys(("SPEC_ANCHORS", "SPEC_ANCHOR", "ANCHORS", "ANCHOR", "SECTIONS", "SECTION",
                     "SPEC_SECTIONS", "SPEC_SECTION", "SPEC_REFS"), "spec_anchors"),
    **dict.fromkeys(("RISK_TIER", "RISK", "RISK_LEVEL", "RISK_CLASS"), "risk_tier"),
    **dict.fromkeys(("STATUS", "STATE", "TASK_STATUS", "TASK_STATE", "WP_STATUS"), "status"),
    **dict.fromkeys(("ROLLBACK_HINT", "ROLLBACK", "ROLLBACK_PLAN"), "rollback_hint"),
    **dict.fromkeys(("EVIDENCE",), "evidence"),
}

# normalize_status of a status word -> its meaning.
STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(("done", "shipped", "closed", "complete", "completed", "finished", "resolved", "merged",
                     "released", "delivered", "validated", "deployed", "fixed", "live", "launched", "in production",
                     "implemented", "verified",
                     "accepted and live"), "done"),
    **dict.fromkeys(("in progress", "doing", "in review", "review", "wip", "started", "active", "ongoing",
                     "in development", "in dev", "implementing", "under review", "in qa", "testing", "building",
                     "in build", "coding"), "active"),
    **dict.fromkeys(("todo", "to do", "queued", "open", "ready", "backlog", "planned", "new", "not started",
                     "pending", "ready for dev", "next", "accepted", "approved"), "ready"),
    **dict.fromkeys(("blocked", "on hold", "waiting", "paused", "stalled"), "blocked"),
    **dict.fromkeys(("draft", "stub", "idea", "proposed"), "stub"),
    **dict.fromkeys(("superseded", "replaced", "obsolete", "cancelled", "canceled", "abandoned", "dropped",
                     "wontfix", "won t fix", "rejected"), "superseded"),
}

_ID_STEM_RE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*)-(?P<num>[0-9]+)(?P<rest>[-_.][A-Za-z0-9._-]*)?$")
# Tasks named by number alone (0007-refund-window.md): the prefix is "".
_NUMBER_STEM_RE = re.compile(r"^(?P<num>[0-9]{2,6})(?P<rest>[-_.][A-Za-z0-9._-]*)?$")
_DATE_STEM_RE = re.compile(r"^[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?(?![0-9])")
# Folders of numbered documents that are decision records, not tasks.
NUMBERED_NOT_TASKS = frozenset({"adr", "adrs", "decisions", "decision-records", "rfc", "rfcs"})
_VERSION_RE = re.compile(r"(?<![0-9.])(?P<version>[0-9]+(?:\.[0-9]+)+)(?![0-9])")
_HEADING_RE = re.compile(r"^ {0,3}#{2,6}\s+(?P<name>.+?)\s*#*\s*$")  # a level-1 heading is a title
_LABEL_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?P<b1>\*\*|__)?\s*(?P<name>[A-Za-z][A-Za-z0-9_/ -]{0,48}?)\s*(?P<b2>\*\*|__)?\s*:"
)
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def map_field(name: str) -> str | None:
    """The canonical field a packet's name for it stands for
    (``Acceptance criteria`` -> ``done_means``), or None."""
    key = field_key(_drop_decor(name))
    return FIELD_NAMES.get(key)


def status_meaning(word: str) -> str | None:
    """The meaning of a status word (``Shipped`` -> ``done``), or None."""
    norm = normalize_status(word)
    return STATUS_WORDS.get(norm) if norm else None


def _drop_decor(name: str) -> str:
    # "Test plan (commands)" -> "Test plan"; "Status [locked]" -> "Status"
    return re.split(r"\s*[\[(]", name.strip(), maxsplit=1)[0].strip()


def id_stem(stem: str) -> tuple[str, bool] | None:
    """(prefix, has a suffix) of a name that is an id (``TASK-001`` ->
    (``TASK``, False); ``PAY-12-refunds`` -> (``PAY``, True)), or None."""
    m = _ID_STEM_RE.match(stem)
    if m:
        return m.group("prefix"), m.group("rest") is not None
    n = _NUMBER_STEM_RE.match(stem)
    if n is None or _DATE_STEM_RE.match(stem):  # 2024-01-01.md is a journal entry, not task 2024
        return None
    return "", n.group("rest") is not None


def _glob_head(prefix: str) -> str:
    """The start of a packet-file glob for ids of this prefix."""
    return f"{prefix}-*" if prefix else "[0-9]*"


def id_pattern(prefixes: Iterable[str], suffixed: bool) -> str:
    """The ``layout.id_pattern`` for ids of these prefixes."""
    names = sorted(set(prefixes))
    named = [n for n in names if n]
    head = (named[0] if len(named) == 1 else "(?:" + "|".join(named) + ")") + "-[0-9]+" if named else ""
    if "" in names:  # tasks named by number alone
        head = f"(?:{head}|[0-9]+)" if head else "[0-9]+"
    return head + (r"(?:[-_.][A-Za-z0-9._-]*)?" if suffixed else "")


def spec_template(name: str) -> tuple[str, str] | None:
    """(``spec_files`` pattern, version) of a Markdown file name with a
    version in it (``payments-spec-v1.2.md`` -> (``payments-spec-v{version}.md``,
    ``1.2``)), or None. The last version in the name counts."""
    if not name.lower().endswith(".md"):
        return None
    matches = list(_VERSION_RE.finditer(name[:-3]))
    if not matches:
        return None
    m = matches[-1]
    return name[: m.start()] + "{version}" + name[m.end():], m.group("version")


# -- the tree ---------------------------------------------------------------


@dataclass
class Tree:
    """What a bounded walk saw: folder -> its Markdown files, and its sub-folders."""

    root: Path
    md_files: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    subdirs: dict[str, list[str]] = field(default_factory=dict)
    truncated: bool = False
    reads: int = 0
    bytes_read: int = 0

    def read(self, rel: str, cap: int = READ_CAP) -> str | None:
        """The start of a repo file as text, or None: past the budget, a
        link leaving the repo, not a regular file, unreadable."""
        if self.reads >= MAX_READS or self.bytes_read >= MAX_READ_BYTES:
            self.truncated = True
            return None
        path = self.root / rel
        try:
            Path(os.path.realpath(path)).relative_to(self.root)
        except (ValueError, OSError):
            return None
        try:
            fd = os.open(os.path.realpath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            data = os.read(fd, min(cap, MAX_READ_BYTES - self.bytes_read))
        except OSError:
            return None
        finally:
            os.close(fd)
        self.reads += 1
        self.bytes_read += len(data)
        return decode(data).text


def _join(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def _inside(root: Path, path: str) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def scan_tree(root: Path) -> Tree:
    """Walk the repo, bounded: hidden, vendored and build folders skipped,
    links to folders never entered, links to files leaving the repo left out."""
    root = root.resolve()
    tree = Tree(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel = Path(dirpath).relative_to(root).as_posix()
        depth = 0 if rel == "." else rel.count("/") + 1
        if len(tree.subdirs) >= MAX_DIRS:
            tree.truncated = True
            dirnames[:] = []
            break
        keep = sorted(n for n in dirnames if not n.startswith(".") and n not in SKIP_DIRS
                      and not os.path.islink(os.path.join(dirpath, n))
                      and not os.path.isfile(os.path.join(dirpath, n, "pyvenv.cfg")))
        if depth >= MAX_DEPTH:
            tree.truncated = tree.truncated or bool(keep)
            keep = []
        dirnames[:] = keep
        tree.subdirs[rel] = list(keep)
        names = sorted(n for n in filenames if not n.startswith(".")
                       and (not os.path.islink(os.path.join(dirpath, n)) or _inside(root, os.path.join(dirpath, n))))
        tree.files[rel] = names
        tree.md_files[rel] = [n for n in names if n.lower().endswith(".md")]
    return tree


# -- packets ----------------------------------------------------------------


@dataclass(frozen=True)
class PacketGuess:
    folder: str  # repo-relative; "." is the root
    style: str  # "file" (TASK-001.md) or "folder" (TASK-001/task.md)
    prefixes: tuple[str, ...]
    packet_files: tuple[str, ...]
    id_pattern: str
    paths: tuple[str, ...]  # the packet files found, repo-relative
    others: tuple[str, ...] = ()  # other candidates, described for a comment

    @property
    def describe(self) -> str:
        return f"{_where(self.folder)}: {', '.join(self.packet_files)}"


@dataclass
class _Candidate:
    folder: str
    style: str
    prefix: str
    paths: list[str]
    suffixed: bool = False
    file_names: Counter = field(default_factory=Counter)
    hits: int = 0

    def key(self) -> tuple:
        hinted = self.folder.rsplit("/", 1)[-1].lower() in HINT_DIRS
        return (self.hits > 0, self.prefix.upper() not in NOT_TASKS and not self.decision_records, hinted,
                len(self.paths), self.hits, -self.folder.count("/"))

    @property
    def decision_records(self) -> bool:
        return not self.prefix and self.folder.rsplit("/", 1)[-1].lower() in NUMBERED_NOT_TASKS

    def acceptable(self) -> bool:
        return len(self.paths) >= 2 or (self.folder.rsplit("/", 1)[-1].lower() in HINT_DIRS and self.hits > 0)


def _under(folder: str, ancestor: str) -> bool:
    return ancestor == "." or folder == ancestor or folder.startswith(ancestor + "/")


def _excluded(rel: str) -> bool:
    """Never a packet, as validate sees it (``stubs/``, ``templates/``, ``_archive/``)."""
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch("/" + rel, p) for p in DEFAULT_EXCLUDE)


def _candidates(tree: Tree) -> list[_Candidate]:
    flat: dict[tuple[str, str], _Candidate] = {}
    for folder, names in tree.md_files.items():
        for name in names:
            parsed = id_stem(name[:-3])
            if parsed is None or _excluded(_join(folder, name)):
                continue
            cand = flat.setdefault((folder, parsed[0]), _Candidate(folder, "file", parsed[0], []))
            cand.paths.append(_join(folder, name))
            cand.suffixed = cand.suffixed or parsed[1]
    # A folder under another of the same prefix belongs to it (tasks/done/TASK-1.md).
    for (folder, prefix), cand in sorted(flat.items(), key=lambda kv: kv[0][0].count("/")):
        for (other, other_prefix), up in flat.items():
            if other_prefix == prefix and other != folder and _under(folder, other) and up.paths:
                up.paths.extend(cand.paths)
                up.suffixed = up.suffixed or cand.suffixed
                cand.paths = []
                break
    out = [c for c in flat.values() if c.paths]
    folders: dict[tuple[str, str], _Candidate] = {}
    for parent, subs in tree.subdirs.items():
        for sub in subs:
            parsed = id_stem(sub)
            inner = _join(parent, sub)
            md = tree.md_files.get(inner) or []
            if parsed is None or not md or _excluded(inner + "/"):
                continue
            cand = folders.setdefault((parent, parsed[0]), _Candidate(parent, "folder", parsed[0], []))
            name = _task_file(md, sub)
            cand.paths.append(_join(inner, name))
            cand.file_names[name if name != f"{sub}.md" else "<id>.md"] += 1
            cand.suffixed = cand.suffixed or parsed[1]
    found = out + list(folders.values())
    # Only when no name holds an id: then slug-named files may carry theirs
    # in front matter (reading them costs reads the id names spare).
    return found or _front_matter_candidates(tree)


# Files read to find ids in front matter (slug-named tasks), at most.
FRONT_ID_READS = 60
_FRONT_ID_RE = re.compile(r"^id\s*[:=]\s*[\"']?(?P<id>[A-Za-z0-9][A-Za-z0-9._-]*)[\"']?\s*$", re.M)


def _front_matter_candidates(tree: Tree) -> list[_Candidate]:
    """Folders of slug-named Markdown files (``refund-window.md``) whose
    front matter names an id (``id: TASK-7``): style "front" (packet_files
    ``*.md``, the id from front matter)."""
    out: dict[tuple[str, str], _Candidate] = {}
    reads = 0
    for folder, names in sorted(tree.md_files.items()):
        slugs = [n for n in names if id_stem(n[:-3]) is None and not _excluded(_join(folder, n))]
        if len(slugs) < 2:
            continue
        for k, name in enumerate(slugs):
            if reads >= FRONT_ID_READS:
                return list(out.values())
            if k >= 5 and not any(c.folder == folder for c in out.values()):
                break  # five files without an id: not a folder of tasks
            reads += 1
            text = tree.read(_join(folder, name), cap=4096) or ""
            if not text.startswith(("---", "+++")):
                continue
            m = _FRONT_ID_RE.search("\n".join(text.split("\n")[:40]))
            parsed = id_stem(m.group("id")) if m else None
            if parsed is None:
                continue
            cand = out.setdefault((folder, parsed[0]), _Candidate(folder, "front", parsed[0], []))
            cand.paths.append(_join(folder, name))
            cand.suffixed = cand.suffixed or parsed[1]
    return list(out.values())


def _task_file(md: Sequence[str], folder_name: str) -> str:
    """The task's own file among a task folder's Markdown files."""
    lower = {n.lower(): n for n in md}
    for preferred in (f"{folder_name}.md".lower(), "task.md", "packet.md", "readme.md", "index.md", "spec.md"):
        if preferred in lower:
            return lower[preferred]
    return md[0]


def _hits(texts: Iterable[str]) -> int:
    return sum(len({map_field(n) for n in names_in(t)} - {None}) for t in texts)


def detect_packets(tree: Tree) -> PacketGuess | None:
    """The folder of task files (or task folders) whose names share an id
    pattern; None when there is none."""
    cands = _candidates(tree)
    cands.sort(key=lambda c: (c.prefix.upper() not in NOT_TASKS, len(c.paths)), reverse=True)
    for cand in cands[:12]:  # the files read to choose stay few
        cand.hits = _hits(t for t in (tree.read(p) for p in cand.paths[:SCORE_SAMPLE]) if t)
    cands = sorted((c for c in cands if c.acceptable()), key=_Candidate.key, reverse=True)
    if not cands:
        return None
    best = cands[0]
    same = [c for c in cands if c.folder == best.folder and c.style == best.style
            and (c is best or c.hits > 0)]
    prefixes = tuple(sorted({c.prefix for c in same}))
    paths = tuple(sorted(p for c in same for p in c.paths))
    if best.decision_records:
        return None  # numbered decision records only: no tasks
    if best.style == "front":  # slug names, ids in front matter
        patterns = ("*.md",)
    elif best.style == "file":
        patterns = tuple(f"{_glob_head(p)}.md" for p in prefixes)
    else:
        names = Counter()
        for c in same:
            names.update(c.file_names)
        patterns = tuple(f"{_glob_head(p)}/{_glob_head(p)}.md" if n == "<id>.md" else f"{_glob_head(p)}/{n}"
                         for p in prefixes for n, _ in names.most_common())
    others = tuple(f"{_where(c.folder)} ({len(c.paths)} {_glob_head(c.prefix)} {'files' if c.style == 'file' else 'folders'})"
                   for c in cands if c not in same)[:5]
    return PacketGuess(best.folder, best.style, prefixes, patterns,
                       id_pattern(prefixes, any(c.suffixed for c in same)), paths, others)


def _where(folder: str) -> str:
    return "the repo root" if folder == "." else folder + "/"


# -- specs ------------------------------------------------------------------


@dataclass(frozen=True)
class SpecGuess:
    folder: str
    spec_files: str  # pattern with {version}
    versions: tuple[str, ...]  # oldest first
    others: tuple[str, ...] = ()

    @property
    def newest(self) -> str:
        return self.versions[-1]


def detect_specs(tree: Tree, packet_paths: Sequence[str] = ()) -> SpecGuess | None:
    """The spec files with a version in their names (the largest family
    of one name pattern, spec-named ones first); None when there is none."""
    skip = set(packet_paths)
    groups: dict[tuple[str, str], list[str]] = {}
    for folder, names in tree.md_files.items():
        for name in names:
            found = spec_template(name)
            # A packet file is never a spec; a spec named like an id with a
            # version (LENDING-2.1.md) still is one.
            if found is None or _join(folder, name) in skip:
                continue
            groups.setdefault((folder, found[0]), []).append(found[1])
        # A folder per version (spec/v1.3/spec.md): the version is the
        # folder's name, the pattern "v{version}/spec.md" under its parent.
        parent, _, leaf = folder.rpartition("/")
        folder_version = _VERSION_RE.fullmatch(leaf.lstrip("vV")) if leaf else None
        if folder_version is not None and parent:
            prefix = leaf[: len(leaf) - len(leaf.lstrip("vV"))]
            for name in names:
                if _join(folder, name) not in skip and _VERSION_RE.search(name[:-3]) is None:
                    groups.setdefault((parent, f"{prefix}{{version}}/{name}"), []).append(folder_version.group("version"))

    def specish(folder: str, template: str) -> bool:
        return "spec" in template.lower() or folder.rsplit("/", 1)[-1].lower() in ("spec", "specs", "specification")

    ranked = sorted(((specish(f, t), len(v), -f.count("/"), f, t) for (f, t), v in groups.items()
                     if len(v) >= 2 or specish(f, t)), reverse=True)
    if not ranked:
        return None
    _, _, _, folder, template = ranked[0]
    versions = tuple(sorted(set(groups[(folder, template)]), key=version_key))
    others = tuple(f"{_join(f, t)} ({len(groups[(f, t)])})" for _, _, _, f, t in ranked[1:4])
    return SpecGuess(folder, template, versions, others)


@dataclass(frozen=True)
class PointerGuess:
    path: str
    version: str


def detect_pointer(tree: Tree, spec: SpecGuess) -> PointerGuess | None:
    """The file naming the current spec: a CURRENT.md / SPEC_CURRENT.md
    beside the specs, at the root or in docs/, or a small file in the spec
    folder that names one spec file or version. Each candidate is read the
    way validate reads it; the first it resolves wins."""
    profile = build_profile("generic", {"layout": {"spec_files": [spec.spec_files]}})
    repo = Repo(tree.root, LayoutConfig(spec_dirs=(spec.folder,)), profile)
    named: list[str] = []
    for folder in dict.fromkeys((spec.folder, ".", "docs")):
        present = {n.lower(): n for n in tree.files.get(folder, ())}
        named += [_join(folder, present[n.lower()]) for n in POINTER_NAMES if n.lower() in present]
    spec_names = {n for n in tree.md_files.get(spec.folder, ()) if spec_file_regex(spec.spec_files).match(n)}
    small = [_join(spec.folder, n) for n in tree.files.get(spec.folder, ())
             if n not in spec_names and _join(spec.folder, n) not in named and n.lower().endswith((".md", ".txt"))]
    for rel, must_be_single in [(p, False) for p in dict.fromkeys(named)] + [(p, True) for p in small]:
        limit = POINTER_MAX_BYTES if must_be_single else READ_CAP
        st = repo.stat(tree.root / rel)
        if st is None or st.st_size > limit:
            continue
        text = tree.read(rel, limit)
        if text is None:
            continue
        if must_be_single and len({m.group("version") for m in _VERSION_RE.finditer(text)}) != 1:
            continue
        try:
            current = repo.parse_spec_current(rel)  # as validate reads it (links out of the repo refused)
        except GovcheckError:
            continue
        if any(version_key(current.version) == version_key(v) for v in spec.versions):
            return PointerGuess(rel, current.version)
    return None


# -- fields and statuses ------------------------------------------------------


def names_in(text: str) -> list[str]:
    """The names a packet gives its parts, as written: front-matter keys,
    headings below the title, and labels (``**Acceptance criteria:**``, ``- State: Done``),
    outside code fences, once each."""
    lines = text.split("\n")
    out: list[str] = []
    start = 0
    front = read_front_matter(lines)
    if front is not None:
        out += [v.key for v in front.values]
        start = front.last
    fenced = False
    for line in lines[start:]:
        if _FENCE_RE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        m = _HEADING_RE.match(line)
        if m:
            out.append(_drop_decor(m.group("name").strip("*_ ").rstrip(":")))
            continue
        m = _LABEL_RE.match(line)
        if m and (m.group("b1") or len(m.group("name").split()) <= 4):
            out.append(m.group("name").strip())
    seen: dict[str, str] = {}
    for name in out:
        seen.setdefault(field_key(name), name)
    return [n for k, n in seen.items() if k]


@dataclass(frozen=True)
class FieldGuess:
    # canonical -> the names found for it that are not its own name, as written
    names: Mapping[str, tuple[str, ...]]
    present: Mapping[str, int]  # canonical -> packets that name it
    unknown: tuple[str, ...]  # names in at least half the packets, not mapped
    packets: int


def detect_fields(texts: Sequence[str]) -> FieldGuess:
    names: dict[str, dict[str, str]] = {}
    present: Counter = Counter()
    other: Counter = Counter()
    spelled: dict[str, str] = {}
    for text in texts:
        canon_here = set()
        for name in names_in(text):
            canonical = map_field(name)
            if canonical is None:
                other[field_key(name)] += 1
                spelled.setdefault(field_key(name), name)
                continue
            canon_here.add(canonical)
            if field_key(_drop_decor(name)) != internal_field(canonical):
                names.setdefault(canonical, {}).setdefault(field_key(_drop_decor(name)), _drop_decor(name))
        present.update(canon_here)
    half = max(2, (len(texts) + 1) // 2)
    unknown = tuple(spelled[k] for k, n in other.most_common() if n >= half)[:8]
    return FieldGuess({c: tuple(v.values()) for c, v in names.items()}, dict(present), unknown, len(texts))


@dataclass(frozen=True)
class StatusGuess:
    by_meaning: Mapping[str, tuple[str, ...]]  # meaning -> words as written
    unplaced: tuple[str, ...]


def detect_statuses(values: Iterable[str]) -> StatusGuess:
    """The status words found, by meaning; the ones with no known meaning apart."""
    by_meaning: dict[str, dict[str, str]] = {}
    unplaced: dict[str, str] = {}
    for value in values:
        norm = normalize_status(value)
        if not norm:
            continue
        word = _drop_decor(value).strip("*` ") or norm
        if normalize_status(word) != norm or len(word) > 40:
            word = norm
        meaning = STATUS_WORDS.get(norm)
        if meaning is None:
            unplaced.setdefault(norm, word)
        else:
            by_meaning.setdefault(meaning, {}).setdefault(norm, word)
    return StatusGuess({m: tuple(by_meaning[m].values()) for m in STATUS_MEANINGS if m in by_meaning},
                       tuple(unplaced.values()))


def status_values(texts: Iterable[str], fields: FieldGuess) -> list[str]:
    """The status values of packets, read by the parser with the names found."""
    profile = build_profile("generic", {"fields": {c: list(n) for c, n in fields.names.items()}})
    values = []
    for text in texts:
        packet = parse_packet(text.encode("utf-8"), packet_id="X-1", path="x.md", profile=profile)
        if packet.status is not None and packet.status.value.strip():
            values.append(packet.status.value)
    return values


# -- writing ----------------------------------------------------------------


def _q(text: str, single: bool = False) -> str:
    """A YAML scalar, quoted: double quotes (JSON's, a YAML double-quoted
    string), or single quotes for a regular expression's backslashes."""
    if single and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def _list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(str(i)) for i in items) + "]"


def _tail(example_id: str) -> list[str]:
    return [
        "",
        "rules:",
        "  # spec-stale: {unchanged_severity: warning}   # stale, but no anchored section changed",
        "  # forbidden-pattern: {patterns: ['\\bunwrap\\(\\)', 'todo!\\(']}",
        "  # risk-map-hit: {enabled: true}",
        "  done-means-vague: {severity: warning}",
        "",
        "run:",
        "  timeout: 600          # seconds per TEST_PLAN command",
        "  # allow: ['^cargo ', '^pnpm ', '^just ', '^python3? ']   # only these commands run",
        "  # env: {RUST_BACKTRACE: '1'}",
        "",
        "# policy:",
        "#   risk:",
        "#     HIGH: {warnings_fail: true, timeout: 1800}",
        "",
        "# waivers:",
        f"#   - {{id: W-1, date: 2026-01-01, justification: '...', rules: [non-ascii], packets: [{example_id}]}}",
        "",
    ]


_HEADER = [
    "# govcheck configuration, written by `govcheck init` for the layout found here.",
    "# Every key is optional: remove what you do not need. README: Configuration.",
]


def handshake_config(root: Path) -> str:
    """The reference layout: the handshake profile and the locations found."""
    repo = Repo(root)
    lines = [*_HEADER, "profile: handshake   # .GOV/ or docs/SPEC_CURRENT.md: the reference layout", "layout:"]
    found = False
    if repo.packet_dirs:
        lines.append(f"  packets: {_list(repo.packet_dirs)}")
        found = True
    if repo.spec_current_paths:
        lines.append(f"  spec_current: {_list(repo.spec_current_paths)}")
        found = True
    spec_dirs = sorted({(sf.path.rsplit('/', 1)[0] if '/' in sf.path else '.') for sf in repo.spec_files})
    if spec_dirs:
        lines.append(f"  spec_dirs: {_list(spec_dirs)}")
        found = True
    if repo.task_board_path:
        lines.append(f"  task_board: {_list([repo.task_board_path])}")
        found = True
    if repo.traceability_path:
        lines.append(f"  traceability_registry: {_list([repo.traceability_path])}")
        found = True
    if not found:
        lines[-1] = "# layout: nothing found; govcheck looks in .GOV/ and docs/ (README: Layouts)."
        lines.append("# layout:")
        lines.append('#   packets: [".GOV/task_packets"]')
    return "\n".join(lines + _tail("WP-1-Example"))


@dataclass(frozen=True)
class Detection:
    packets: PacketGuess
    spec: SpecGuess
    pointer: PointerGuess | None
    fields: FieldGuess
    statuses: StatusGuess
    truncated: bool


LOOKED_FOR = ("looked for .GOV/ or docs/SPEC_CURRENT.md (the reference layout), a folder of Markdown tasks "
              "named like TASK-001.md or TASK-001/task.md, and spec files with a version in the name "
              "(payments-spec-v1.2.md)")


def detect(root: Path) -> Detection:
    """Everything the generic starter is written from; UsageError (exit 2)
    when no task files or no spec files are found."""
    tree = scan_tree(root)
    packets = detect_packets(tree)
    if packets is None:
        raise UsageError(f"init: nothing recognisable found in {root}: {LOOKED_FOR}; write govcheck.yaml by hand "
                         "(docs/configuration.md)")
    spec = detect_specs(tree, packets.paths)
    if spec is None:
        raise UsageError(f"init: found {len(packets.paths)} task files ({packets.describe}) but no spec file "
                         "with a version in its name (looked for *.md named like payments-spec-v1.2.md); "
                         "add one, or write govcheck.yaml by hand (docs/configuration.md)")
    # The spec files (LENDING-2.1.md) may look like ids too: never "other tasks".
    packets = replace(packets, others=tuple(o for o in packets.others if not o.startswith(f"{_where(spec.folder)} (")))
    pointer = detect_pointer(tree, spec)
    texts = [t for t in (tree.read(p) for p in packets.paths[:SAMPLE]) if t]
    fields = detect_fields(texts)
    return Detection(packets, spec, pointer, fields, detect_statuses(status_values(texts, fields)), tree.truncated)


def generic_config(found: Detection) -> str:
    """The generic starter for what detection found, each guess commented."""
    p, s, f = found.packets, found.spec, found.fields
    ids = [_id_of_path(path, p) for path in p.paths]
    shown = ", ".join(ids[:6]) + (f", ... ({len(ids)} in all)" if len(ids) > 6 else "")
    kind = "task files" if p.style in ("file", "front") else "task folders"
    named = "with an id in their front matter" if p.style == "front" else f"named by id: {shown}"
    lines = [*_HEADER, "# What init guessed is said beside it: check each guess.",
             "profile: generic   # no .GOV/ or docs/SPEC_CURRENT.md: Markdown tasks, any team's names", "",
             "layout:",
             f"  # {len(ids)} {kind} in {_where(p.folder)} {named}"]
    for other in p.others:
        lines.append(f"  # also seen, not used: {other}; add its folder to packets if those are tasks too")
    lines += [f"  packets: {_list([p.folder])}",
              f"  packet_files: {_list(p.packet_files)}",
              f"  id_pattern: {_q(p.id_pattern, single=True)}",
              f"  # {len(s.versions)} spec {'versions' if len(s.versions) > 1 else 'version'} in {_where(s.folder)}: {', '.join(s.versions)}"]
    for other in s.others:
        lines.append(f"  # also seen, not used: {other}")
    lines += [f"  spec_dirs: {_list([s.folder])}", f"  spec_files: {_list([s.spec_files])}"]
    if found.pointer is not None:
        newest = "" if found.pointer.version == s.newest else f" (the newest spec file is v{s.newest})"
        lines += [f"  # {found.pointer.path} names the current spec: v{found.pointer.version}{newest}",
                  f"  spec_current: {_list([found.pointer.path])}"]
    else:
        lines += [f"  # no pointer file found ({', '.join(POINTER_NAMES[:3])} beside the specs, at the root or in docs/):",
                  f"  # the newest spec file is current, now v{s.newest}. Add a pointer file to pin one.",
                  "  spec_current: latest"]
    if found.truncated:
        lines.append(f"  # (detection stopped early: a large tree; it read at most {MAX_READS} files, "
                     f"{MAX_DEPTH} folder levels)")
    lines.append("")
    if f.names:
        lines.append(f"# The packets' own names for the fields govcheck reads (seen in {f.packets} packets):")
        lines.append("fields:")
        for canonical in sorted(f.names, key=lambda c: list(FIELD_NAMES.values()).index(c)):
            lines.append(f"  {canonical}: {_list(f.names[canonical])}   # in {f.present.get(canonical, 0)} of {f.packets}")
    else:
        lines.append("# fields: the packets use govcheck's own names (status, done_means, ...): nothing to map.")
    if f.unknown:
        lines.append(f"# Other names in most packets, not mapped (add one under fields: if it is a field "
                     f"govcheck reads): {', '.join(f.unknown)}")
    required = list(GENERIC["required_fields"])
    missing = [c for c in required if not f.present.get(c)]
    if missing and f.packets:
        # Never dropped: a field init cannot find is either written under a
        # name it does not know (listed above) or truly missing, and a
        # dropped requirement would let every packet without it pass.
        lines += [f"# No packet read has {', '.join(missing)} under a name init knows: if the packets write it "
                  "under another name, add that name under fields (see the names listed above); until then "
                  "validate reports it missing.",
                  f"required_fields: {_list(required)}"]
    else:
        lines.append(f"# required_fields: {_list(required)}   # the generic profile's")
    lines.append("")
    st = found.statuses
    if st.by_meaning:
        lines.append("# The status words found in the packets, by meaning. A meaning named here replaces the")
        lines.append("# generic profile's words for it; the others keep theirs.")
        lines.append("statuses:")
        for meaning, words in st.by_meaning.items():
            lines.append(f"  {meaning}: {_list(words)}")
    elif not st.unplaced:
        lines.append("# statuses: no status found in the packets read; the generic profile's words apply.")
    else:
        lines.append("# statuses: none of the status words found could be placed (below); until they are, the")
        lines.append("# generic profile's words apply and these are field-invalid.")
    if st.unplaced:
        lines.append(f"# Status words found that init could not place: {', '.join(st.unplaced)}.")
        lines.append("# Add each under its meaning (" + ", ".join(STATUS_MEANINGS) + "), or validate reports "
                     "them as field-invalid.")
    return "\n".join(lines + _tail(ids[0] if ids else "TASK-1"))


def _id_of_path(path: str, p: PacketGuess) -> str:
    parts = path.split("/")
    candidate = parts[-1][:-3] if p.style == "file" else parts[-2]
    return candidate


def starter_config(root: Path) -> str:
    """The starter govcheck.yaml for the repo at ``root``."""
    if detect_profile(root) == "handshake":
        return handshake_config(root)
    return generic_config(detect(root))


# -- the command ------------------------------------------------------------


def _existing_config(root: Path) -> str | None:
    for name in YAML_NAMES:
        if os.path.lexists(root / name):
            return name
    try:
        data = read_repo_file(root, "pyproject.toml", "pyproject.toml")
    except GovcheckError:
        data = None
    if data is not None and re.search(rb"(?m)^\s*\[tool\.govcheck[\].]", data):
        return "pyproject.toml [tool.govcheck]"
    return None


def checked_starter(root: Path) -> tuple[str, str]:
    """(the starter's text, a summary line): built, loaded as validate
    would load it, and, for the generic profile, checked to find every
    task file detection saw and to resolve the current spec. A starter
    that fails is a bug (GovcheckError, exit 2), never written."""
    handshake = detect_profile(root) == "handshake"
    found = None if handshake else detect(root)
    text = handshake_config(root) if found is None else generic_config(found)
    data = text.encode("utf-8")
    rules = known_rule_options(all_rules())
    config = load_config(root, rules, read=lambda name: data if name == YAML_NAMES[0] else None)
    if found is None:
        return text, "profile handshake: the reference layout"
    repo, _config, _rules = open_repo(root, config=config)
    # Compared by path: a task whose id is in its front matter is named otherwise.
    missing = sorted(set(found.packets.paths) - {loc.path for loc in repo.packets.values()})
    if missing:
        raise GovcheckError(f"init: internal error: the starter config would not find {', '.join(missing[:5])} "
                            "(a bug; please report it)")
    current = repo.spec_current()
    return text, (f"profile generic: {len(repo.packets)} packets in {_where(found.packets.folder)}, "
                  f"current spec v{current.version}")


def write_starter(root: Path, force: bool) -> tuple[Path, str]:
    """Write govcheck.yaml at ``root`` (refused when a config exists,
    unless ``force``); (its path, a summary)."""
    existing = _existing_config(root)
    target = root / YAML_NAMES[0]
    if existing == YAML_NAMES[0] and not force:
        raise UsageError(f"{target} exists; use --force to overwrite it")
    if existing is not None and not force:
        raise UsageError(f"the repo has a configuration already ({existing}), which a new {YAML_NAMES[0]} "
                         "would replace; use --force to write one all the same")
    text, summary = checked_starter(root)
    atomic_write_bytes(target, text.encode("utf-8"))
    return target, summary
