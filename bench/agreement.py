"""How govcheck's verdicts line up with the validators' own.

For a repository (default: ../shared/corpus/handshake-3c9b4c14-full) this
prints two agreement tables and the disagreements:

- the task board's tokens on its Done entries: [VALIDATED] should be PASS
  or OUTDATED, [OUTDATED_ONLY] OUTDATED, [FAIL] FAIL;
- each packet's last hand-written ``Verdict:`` line (PASS, FAIL,
  OUTDATED_ONLY), from the earlier validation reports govcheck parses;

and, for every packet where govcheck disagrees, the error finding(s) that
decided its verdict (rule, file:line, message). Run it after changing a
rule: a new disagreement is either a real defect the validators missed
(say which) or a govcheck bug.

    python bench/agreement.py [--repo DIR] [--json]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from govcheck.engine.loader import load_packet, open_repo  # noqa: E402
from govcheck.engine.validate import ValidateOptions, validate  # noqa: E402
from govcheck.model import Verdict  # noqa: E402
from govcheck.report.json import report_dict  # noqa: E402

DEFAULT_REPO = HERE.parent.parent / "shared" / "corpus" / "handshake-3c9b4c14-full"
# A Done entry of the enforced board format: - **[WP-ID]** - [TOKEN]
_BOARD_ENTRY = re.compile(r"^\s*-\s*\*\*\[(?P<id>WP-[^\]]+)\]\*\*\s*-\s*\[(?P<token>[A-Z_]+)\]")
EXPECTED = {"VALIDATED": {"PASS", "OUTDATED"}, "OUTDATED_ONLY": {"OUTDATED"}, "FAIL": {"FAIL"}}
HAND = {"PASS": {"PASS", "OUTDATED"}, "OUTDATED_ONLY": {"OUTDATED"}, "FAIL": {"FAIL"}}


def board_tokens(repo) -> dict[str, str]:
    """WP id -> token of its entry under the board's Done section."""
    path = repo.task_board_path
    if path is None or not repo.is_file(path):
        return {}
    tokens: dict[str, str] = {}
    section = ""
    for line in repo.read_text(path).splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        m = _BOARD_ENTRY.match(line)
        if m and section.startswith("done"):
            tokens[m.group("id")] = m.group("token")
    return tokens


def last_hand_verdicts(repo) -> dict[str, str]:
    """WP id -> the verdict of its last validation report written by hand."""
    out = {}
    for wp_id, loc in repo.packets.items():
        packet = load_packet(repo, loc)
        hand = [r for r in packet.validation_reports if r.verdict and not r.by_govcheck]
        if hand:
            out[wp_id] = hand[-1].verdict.upper()
    return out


def _blocking(packet: dict) -> list[str]:
    errs = [f for f in packet["findings"] if f["severity"] == "error" and not f["waived_by"]]
    return [f"{f['rule']} {f['path']}:{f['line']}: {f['message'][:140]}" for f in errs]


def table(title: str, pairs: list[tuple[str, str]], expected: dict[str, set[str]],
          out=sys.stdout) -> tuple[int, int]:
    counts = collections.Counter(pairs)
    theirs = sorted({t for t, _ in pairs})
    print(f"\n{title}", file=out)
    print(f"| theirs \\ govcheck | {' | '.join(v.value for v in Verdict)} | agree |", file=out)
    print("|---|" + "---|" * (len(Verdict) + 1), file=out)
    agree_total = 0
    for t in theirs:
        row = [counts[(t, v.value)] for v in Verdict]
        agree = sum(counts[(t, v)] for v in expected.get(t, set()))
        agree_total += agree
        print(f"| {t} | {' | '.join(map(str, row))} | {agree}/{sum(row)} |", file=out)
    return agree_total, len(pairs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", type=Path, default=DEFAULT_REPO)
    ap.add_argument("--json", action="store_true", help="print the disagreements as JSON")
    args = ap.parse_args(argv)
    if not args.repo.is_dir():
        print(f"agreement: {args.repo} not found (skipped)")
        return 0
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory() as state:
        from govcheck.cache.state import StateDir

        report = report_dict(validate(args.repo.resolve(), ValidateOptions(
            all_packets=True, no_run=True, state=StateDir(Path(state)))))
    repo, _config, _rules = open_repo(args.repo.resolve())
    packets = {p["id"]: p for p in report["packets"]}
    board = board_tokens(repo)
    hand = last_hand_verdicts(repo)
    out = sys.stderr if args.json else sys.stdout
    print(f"repo: {args.repo}  packets: {len(packets)}  summary: {report['summary']}", file=out)
    board_pairs = [(t, packets[i]["verdict"]) for i, t in board.items() if i in packets and t in EXPECTED]
    hand_pairs = [(v, packets[i]["verdict"]) for i, v in hand.items() if i in packets and v in HAND]
    a1, n1 = table("Task board Done tokens against govcheck", board_pairs, EXPECTED, out)
    a2, n2 = table("Last hand-written Verdict: line against govcheck", hand_pairs, HAND, out)
    print(f"\nagreement: board {a1}/{n1}; hand-written verdicts {a2}/{n2}", file=out)
    disagreements = []
    for wp_id in sorted(packets):
        p = packets[wp_id]
        b, h = board.get(wp_id), hand.get(wp_id)
        if (b in EXPECTED and p["verdict"] not in EXPECTED[b]) or (h in HAND and p["verdict"] not in HAND[h]):
            disagreements.append({"id": wp_id, "board": b, "hand": h, "govcheck": p["verdict"],
                                  "status": p["status"], "reason": p.get("reason"), "blocking": _blocking(p)})
    if args.json:
        print(json.dumps(disagreements, indent=2))
        return 0
    print(f"\nDisagreements ({len(disagreements)}):")
    by_rule = collections.Counter(line.split(" ", 1)[0] for d in disagreements for line in d["blocking"])
    print("blocking rules: " + ", ".join(f"{r} {n}" for r, n in by_rule.most_common()))
    for d in disagreements:
        print(f"- {d['id']}: board {d['board'] or '-'}, hand {d['hand'] or '-'}, govcheck {d['govcheck']} "
              f"(status {d['status']})")
        for line in d["blocking"][:6]:
            print(f"    {line}")
        if len(d["blocking"]) > 6:
            print(f"    ... {len(d['blocking']) - 6} more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
