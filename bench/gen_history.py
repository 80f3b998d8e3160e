"""Generate governance repos with a long git history, for benchmarks.

    python bench/gen_history.py OUT [--commits N] [--packets N] [--versions K] [--spec-bytes B]
    python bench/gen_history.py OUT --from-corpus DIR [--commits N]

The reference project has ~1,900 commits and keeps most old spec versions
only in git history; govcheck reads them back to compare anchored
sections. Single-commit corpora hide what that costs, so this builds:

* the generated repo (bench/gen_repo.py: 1,200 packets anchored to a mix
  of K spec versions) as a history of N commits: spec versions arrive over
  time (each first as a draft, then revised in place), the previous one
  moves to ``.GOV/spec/history/`` and the one before that is deleted, so
  in the end the tree holds the newest three and every older version
  lives only in history. Packets are added in batches along the way and
  every commit touches an activity file, so no commit is empty.
* ``--from-corpus``: a copy of a corpus folder with its older spec files,
  plus a text for each version its packets anchor to but the tree lacks
  (derived from the oldest spec present), committed over N commits and
  then removed from the tree.

History is written with ``git fast-import`` (seconds, not minutes) and
checked out, so the working tree is clean. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_repo import _spec_name, make_repo  # noqa: E402  (sibling script, found through HERE)

_SPEC_FILE_RE = re.compile(r"Master[_ -]Spec_v(\d+\.\d+(?:\.\d+)?)\.md$", re.I)
_EPOCH = 1_767_225_600  # 2026-01-01: commit dates, an hour apart
_GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    env = {**os.environ, **_GIT_ENV}
    return subprocess.run(["git", "-C", str(root), *args], input=data, env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout


def _vkey(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


class _Stream:
    """A ``git fast-import`` process fed one commit at a time (streamed:
    the history holds hundreds of MB of spec text)."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(["git", "-C", str(root), "fast-import", "--quiet"], stdin=subprocess.PIPE,
                                     env={**os.environ, **_GIT_ENV})
        self.commits = 0
        self.marks = 0

    def _write(self, *parts: bytes) -> None:
        assert self.proc.stdin is not None
        for part in parts:
            self.proc.stdin.write(part)

    def blob(self, data: bytes) -> str:
        self.marks += 1
        self._write(f"blob\nmark :{self.marks}\ndata {len(data)}\n".encode(), data, b"\n")
        return f":{self.marks}"

    def commit(self, message: str, changes: Iterable[tuple[str, str, str | None]], parent: str | None) -> None:
        """``changes``: ("M", path, blob mark) or ("D", path, None)."""
        when = _EPOCH + 3600 * self.commits
        self.commits += 1
        msg = message.encode()
        self._write(f"commit refs/heads/main\ncommitter bench <bench@example.invalid> {when} +0000\n"
                    f"data {len(msg)}\n".encode(), msg, b"\n")
        if self.commits == 1 and parent:
            self._write(f"from {parent}\n".encode())
        for op, path, mark in changes:
            self._write(f"M 100644 {mark} {path}\n".encode() if op == "M" else f"D {path}\n".encode())
        self._write(b"\n")

    def finish(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _init(root: Path) -> None:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "gc.auto", "0")  # no background repack while benchmarks run


def _activity(stream: _Stream, i: int) -> tuple[str, str, str]:
    # Every commit changes something, as real commits do.
    return ("M", f".GOV/roles_shared/activity/log-{i % 40:02d}.md", stream.blob(f"commit {i}\n".encode()))


def _spec_schedule(stream: _Stream, versions: list[str], commits: int, spec_dir: str,
                   final_text, draft_text) -> Iterator[list[tuple[str, str, str | None]]]:
    """Spec changes per commit: version k arrives as a draft at commit
    k * N / K, is revised to its final text half-way to the next, and
    moves to history/ (then out) as newer versions arrive."""
    arrive = {int(k * commits / len(versions)): k for k in range(len(versions))}
    final_marks: dict[str, str] = {}

    def final(v: str) -> str:
        if v not in final_marks:
            final_marks[v] = stream.blob(final_text(v))
        return final_marks[v]

    revise = {int((k + 0.5) * commits / len(versions)): k for k in range(len(versions))}
    for i in range(commits):
        changes: list[tuple[str, str, str | None]] = []
        if i in arrive:
            k = arrive[i]
            v = versions[k]
            changes.append(("M", f"{spec_dir}/{_spec_name(v)}", stream.blob(draft_text(v))))
            if k >= 1:  # the previous one moves to history/ (a rename)
                prev = versions[k - 1]
                changes.append(("D", f"{spec_dir}/{_spec_name(prev)}", None))
                changes.append(("M", f"{spec_dir}/history/{_spec_name(prev)}", final(prev)))
            if k >= 3:
                changes.append(("D", f"{spec_dir}/history/{_spec_name(versions[k - 3])}", None))
        if i in revise:
            v = versions[revise[i]]
            changes.append(("M", f"{spec_dir}/{_spec_name(v)}", final(v)))
        yield changes


def _draft(text: bytes) -> bytes:
    # A draft differs from the final text in many sections: only the
    # revision (the newest commit) is the text packets are compared to.
    return text.replace(b"deterministic", b"provisional", 400)


def make_history_repo(root: Path, commits: int = 1200, n_packets: int = 1200, n_versions: int = 40,
                      spec_bytes: int = 4_000_000, seed: int = 1) -> dict:
    """The generated repo as a history of ``commits`` commits (see module doc)."""
    root = Path(root)
    versions = [f"02.{140 + k}" for k in range(n_versions)]
    summary = make_repo(root, n_packets=n_packets, spec_versions=tuple(versions), spec_bytes=spec_bytes, seed=seed)
    spec_dir = ".GOV/spec"
    texts: dict[str, bytes] = {}
    for v in versions:
        path = root / spec_dir / _spec_name(v)
        path = path if path.is_file() else root / spec_dir / "history" / _spec_name(v)
        texts[v] = path.read_bytes()
    rest = sorted(p for p in root.rglob("*") if p.is_file() and not _SPEC_FILE_RE.search(p.name)
                  and p.name != "SPEC_CURRENT.md")
    packets = [p for p in rest if "task_packets" in p.parts]
    others = [p for p in rest if "task_packets" not in p.parts]
    spec_current = (root / spec_dir / "SPEC_CURRENT.md").read_bytes()

    _init(root)
    stream = _Stream(root)
    per_commit = -(-len(packets) // max(1, commits - 1))
    schedule = _spec_schedule(stream, versions, commits, spec_dir, texts.__getitem__, lambda v: _draft(texts[v]))
    for i, spec_changes in enumerate(schedule):
        changes = [_activity(stream, i), *spec_changes]
        if i == 0:
            changes += [("M", p.relative_to(root).as_posix(), stream.blob(p.read_bytes())) for p in others]
        batch = packets[(i - 1) * per_commit:i * per_commit] if i else []
        changes += [("M", p.relative_to(root).as_posix(), stream.blob(p.read_bytes())) for p in batch]
        if i == commits - 1:
            changes.append(("M", f"{spec_dir}/SPEC_CURRENT.md", stream.blob(spec_current)))
        stream.commit(f"change {i}", changes, None)
    stream.finish()
    # The tree as the last commit left it: older versions only in history.
    _git(root, "reset", "-q", "--hard", "main")
    for p in (root / spec_dir / "history").glob("*.md"):
        if not _git(root, "ls-files", p.relative_to(root).as_posix()):
            p.unlink()
    in_tree = sorted(p.name for p in root.rglob("*Master_Spec_v*.md"))
    return {**summary, "commits": commits, "versions": len(versions), "specs_in_tree": in_tree}


def _missing_versions(repo: Path) -> list[str]:
    """Versions the packets anchor to whose text govcheck cannot find
    (``spec-stale`` findings without ``changed_sections``)."""
    cmd = [sys.executable, "-m", "govcheck.cli", "validate", "--all", "--no-run", "--no-cache", "--format", "json",
           "--repo", str(repo), "-q", "--state-dir", tempfile.mkdtemp(prefix="govcheck-gen-state-")]
    out = subprocess.run(cmd, capture_output=True, check=False, cwd=HERE.parent)
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if node.get("rule") == "spec-stale" and isinstance(data, dict) and data.get("changed_sections") is None:
                found.add(str(data.get("packet_version")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(out.stdout))
    return sorted(found, key=_vkey)


def history_from_corpus(src: Path, root: Path, commits: int = 300) -> dict:
    """A copy of ``src`` whose older spec files (all but the newest file)
    and texts for the versions its packets lack arrive over ``commits``
    commits and are gone from the tree at the end."""
    root = Path(root)
    shutil.copytree(src, root, symlinks=True)
    spec_files = sorted((p for p in root.rglob("*") if p.is_file() and _SPEC_FILE_RE.search(p.name)),
                        key=lambda p: _vkey(_SPEC_FILE_RE.search(p.name).group(1)))
    keep = spec_files[-1]  # the newest file stays (SPEC_CURRENT may name it as a baseline)
    old = {(_SPEC_FILE_RE.search(p.name).group(1)): p.read_bytes() for p in spec_files[:-1]}
    missing = [v for v in _missing_versions(root) if v not in old]
    base = old[min(old, key=_vkey)] if old else keep.read_bytes()
    texts = dict(old)
    for n, v in enumerate(missing):
        rng = random.Random(v)
        # Older versions differ from the base in more places.
        words = [b"MUST", b"SHALL", b"must", b"the"]
        text = base
        for _ in range(1 + n % 5):
            w = rng.choice(words)
            text = text.replace(w, w + b" (v" + v.encode() + b")", 30)
        texts[v] = text
    for p in spec_files[:-1]:
        p.unlink()
    _init(root)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "corpus as copied, older spec files removed")
    head = _git(root, "rev-parse", "HEAD").decode().strip()
    versions = sorted(texts, key=_vkey)
    stream = _Stream(root)
    spec_dir = ".GOV/spec"
    schedule = _spec_schedule(stream, versions, commits, spec_dir, texts.__getitem__, lambda v: _draft(texts[v]))
    for i, spec_changes in enumerate(schedule):
        changes = [_activity(stream, i), *spec_changes]
        if i == commits - 1:  # the end: no older spec file left in the tree
            changes += [("D", f"{spec_dir}/{_spec_name(v)}", None) for v in versions[-1:]]
            changes += [("D", f"{spec_dir}/history/{_spec_name(v)}", None) for v in versions[-3:-1]]
        stream.commit(f"spec history {i}", changes, head)
    stream.finish()
    _git(root, "reset", "-q", "--hard", "main")
    return {"commits": commits + 1, "versions_in_history": len(versions), "synthesized": missing,
            "kept": keep.relative_to(root).as_posix()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--commits", type=int, default=None, help="commits of history (1200; 300 --from-corpus)")
    ap.add_argument("--packets", type=int, default=1200)
    ap.add_argument("--versions", type=int, default=40, help="spec versions along the history")
    ap.add_argument("--spec-bytes", type=int, default=4_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--from-corpus", type=Path, default=None, help="give this corpus folder a history instead")
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} exists and is not empty", file=sys.stderr)
        return 2
    if args.from_corpus:
        summary = history_from_corpus(args.from_corpus, args.out, commits=args.commits or 300)
    else:
        summary = make_history_repo(args.out, commits=args.commits or 1200, n_packets=args.packets,
                                    n_versions=args.versions, spec_bytes=args.spec_bytes, seed=args.seed)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
