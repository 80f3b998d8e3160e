"""Run one rule on a tiny repo.

``check_rule(rule_id, packet_text, files=..., config=...)`` writes a small
governance repo into a temporary folder (a SPEC_CURRENT, the spec it names,
one packet, whatever extra files the test gives), checks that packet the way
``govcheck validate WP --no-run`` does (every rule runs, waivers are applied,
then the post rules) and returns the findings of ``rule_id`` alone: those of
the packet, then the repository-level ones (``scope="repo"`` rules).

Per-rule test files (tests/rules/<family>/test_<rule>.py) hold tables of
``(packet_text, expected)``: ``expected`` lists a fragment of each finding's
message, in order, and ``[]`` means the packet passes. Every file also has a
``test_waiver_*`` case: what a waiver does to that rule's findings.

The older tests that start from the storage-foundation fixture (``GOOD_GEN2``
in ``storage_repo``) use the helpers at the end of this module.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from conftest import GOOD_GEN2, copy_fixture, findings, validate_json, write_packet
from contract_era import FIXTURE as CONTRACT_FIXTURE

from govcheck.engine.checks import check_packet, check_repo
from govcheck.engine.context import Context
from govcheck.engine.loader import load_packet, open_repo
from govcheck.engine.selection import ChangeSet
from govcheck.model import CommandResult, Finding

WP_ID = "WP-1-Lease-Timer"
PACKET_PATH = f".GOV/task_packets/{WP_ID}.md"
SPEC_FILE = "Handshake_Master_Spec_v02.50.md"
TODAY = _dt.date(2026, 3, 1)

SPEC_CURRENT = f"""# SPEC_CURRENT

The spec in force:

**{SPEC_FILE}**
"""

SPEC = """# Test Master Specification v02.50

A short spec for the rule tests; packets anchor to its numbers.

# 3. Work

## 3.1 Lease timers

A lease ends when its timer runs out; the job then goes back in line.

## 3.2 Retries [CX-RT-010]

A failed job is retried at most three times.

# 5. Records

## 5.4 Audit log

Every state change is written to the audit log.
"""

# The source file the good packet's evidence points at (8 lines).
TIMER_PY = """class LeaseTimer:
    def __init__(self, seconds):
        self.seconds = seconds

    def expired(self, elapsed):
        return elapsed >= self.seconds


TIMER = LeaseTimer(30)
"""

# A generation 2 packet every rule passes. Tests derive failing packets
# from it with ``GOOD.replace(...)``.
GOOD = f"""# Task Packet: {WP_ID}

## METADATA
- TASK_ID: {WP_ID}
- WP_ID: {WP_ID}
- BASE_WP_ID: {WP_ID}
- DATE: 2026-02-10
- MERGE_BASE_SHA: 1111111111111111111111111111111111111111
- REQUESTOR: Planner
- AGENT_ID: test-coder
- ROLE: Coder
- **Status:** Done
- RISK_TIER: MEDIUM
- USER_SIGNATURE: test-owner-20260210
- PACKET_FORMAT_VERSION: 2026-02-01

## SCOPE
- What: A lease timer that hands an expired job back.
- Why: Jobs of a stopped worker must not stay taken.
- IN_SCOPE_PATHS:
  - src/timer.py
- OUT_OF_SCOPE:
  - Retry counting

## WAIVERS GRANTED
- NONE

## QUALITY_GATE
### TEST_PLAN
```bash
python3 -m pytest tests/test_timer.py
```

### DONE_MEANS
- A lease reports expired once its seconds have elapsed.
- The shared timer holds leases for thirty seconds.

### ROLLBACK_HINT
```bash
git revert <timer-commit>
```

## AUTHORITY
- SPEC_BASELINE: {SPEC_FILE} (recorded_at: 2026-02-10)
- SPEC_TARGET: .GOV/roles_shared/SPEC_CURRENT.md (resolved when validating)
- SPEC_ANCHOR: {SPEC_FILE} 3.1 (Lease timers)

## BOOTSTRAP
- FILES_TO_OPEN:
  - src/timer.py
- RISK_MAP:
  - Timer read from the wall clock -> look for `wallclock(`

## SKELETON
- LeaseTimer.expired(elapsed).

SKELETON APPROVED

## END_TO_END_CLOSURE_PLAN [CX-E2E-001]
- END_TO_END_CLOSURE_PLAN_APPLICABLE: NO

## IMPLEMENTATION
- The timer compares elapsed seconds with its limit.

## EVIDENCE_MAPPING
- REQUIREMENT: "A lease reports expired once its seconds have elapsed."
  EVIDENCE: src/timer.py:6
- REQUIREMENT: "The shared timer holds leases for thirty seconds."
  EVIDENCE: src/timer.py:9

## VALIDATION_REPORTS
"""

BASE_FILES: Mapping[str, str] = {
    ".GOV/roles_shared/SPEC_CURRENT.md": SPEC_CURRENT,
    SPEC_FILE: SPEC,
    "src/timer.py": TIMER_PY,
}

WAIVER_LINE = ("- WAIVER_ID: W-RULE-TEST | Date: 2026-02-11 | Rules: {rules} | Scope: this packet | "
               "Justification: accepted by the packet owner for the rule tests")


def with_waiver(packet_text: str, *rule_ids: str) -> str:
    """``packet_text`` with a valid waiver for ``rule_ids`` under WAIVERS GRANTED."""
    section = "## WAIVERS GRANTED\n- NONE\n"
    assert section in packet_text, "the packet has no empty WAIVERS GRANTED section"
    return packet_text.replace(section, "## WAIVERS GRANTED\n" + WAIVER_LINE.format(rules=", ".join(rule_ids)) + "\n")


def waived(rules: str, tail: str = "", old: bool = False) -> str:
    """The good packet with waiver W-9 for ``rules`` (``tail`` appended to
    its line, e.g. an expiry); with ``old``, anchored to an older spec so
    that spec-stale has a finding for the waiver to waive."""
    text = GOOD.replace("v02.50", "v02.40") if old else GOOD
    line = ("- WAIVER_ID: W-9 | Date: 2026-02-11 | Rules: {rules} | Scope: this packet | "
            "Justification: owner accepts it{tail}\n").format(rules=rules, tail=tail)
    return text.replace("## WAIVERS GRANTED\n- NONE\n", "## WAIVERS GRANTED\n" + line)


def config_waiver(*rule_ids: str, wp_id: str = WP_ID) -> str:
    """A govcheck.yaml granting a waiver for ``rule_ids`` to ``wp_id``
    (for packets that cannot hold a waiver of their own)."""
    rules = ", ".join(f"'{r}'" for r in rule_ids)
    return (f"waivers:\n  - id: W-CONFIG-TEST\n    date: '2026-02-11'\n    rules: [{rules}]\n"
            f"    packets: ['{wp_id}']\n    justification: accepted by the owner for the rule tests\n")


@dataclass(frozen=True)
class Symlink:
    """A value in ``files``: make the path a symbolic link to ``target``."""

    target: str


def write_repo(root: Path, packet_text: str | bytes | None, files: Mapping[str, str | bytes | Symlink | None] = {},  # noqa: B006
               config: str | None = None, wp_id: str = WP_ID) -> Path:
    """The tiny repo: the base files, then ``files`` (a value of None in
    ``files`` leaves a base file out), the packet and govcheck.yaml."""
    merged = {**BASE_FILES, **files}
    if packet_text is not None:
        merged[f".GOV/task_packets/{wp_id}.md"] = packet_text
    if config is not None:
        merged["govcheck.yaml"] = config
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_rules(root: Path, wp_id: str | None = WP_ID, *, run_results: Iterable[CommandResult] | None = None,
              all_packets: bool = False, change_set: ChangeSet | None = None,
              today: _dt.date = TODAY) -> list[Finding]:
    """Every finding of every rule for ``wp_id`` (None, or an id the repo
    does not hold: no packet, the repo rules only) in the repo at ``root``,
    then the repo-level findings.
    ``run_results`` stand for the TEST_PLAN commands' results (as if run);
    without them the run is ``--no-run``."""
    repo, config, rules = open_repo(root)

    def load(i: str):
        loc = repo.packets.get(i)
        return load_packet(repo, loc) if loc is not None else None

    if wp_id not in repo.packets:
        wp_id = None  # no such packet: the repo rules only
    ids = sorted(repo.packets) if all_packets else ([wp_id] if wp_id else [])
    packets = {i: load(i) for i in ids}
    ctx = Context(
        repo=repo, config=config, spec_current=repo.spec_current(), today=today,
        commands={wp_id: tuple(run_results)} if (run_results is not None and wp_id) else {},
        ran_commands=run_results is not None, packets=packets, all_packets=all_packets,
        change_set=change_set, load=load, rule_ids=frozenset(rules),
    )
    out: list[Finding] = []
    if wp_id is not None:
        out.extend(sorted(check_packet(packets[wp_id], ctx, rules), key=Finding.sort_key))
    out.extend(sorted(check_repo(ctx, rules), key=Finding.sort_key))
    return out


def check_rule(rule_id: str, packet_text: str | bytes | None, *,
               files: Mapping[str, str | bytes | Symlink | None] = {},  # noqa: B006
               config: str | None = None, wp_id: str = WP_ID, run_results: Iterable[CommandResult] | None = None,
               all_packets: bool = False, change_set: ChangeSet | None = None,
               today: _dt.date = TODAY) -> list[Finding]:
    """The findings of ``rule_id`` alone, for ``packet_text`` checked in a
    tiny repo (see the module docstring). ``packet_text=None`` writes no
    packet: then the repo rules alone run, unless ``files`` puts one there."""
    from govcheck.rules import get_rule

    assert get_rule(rule_id) is not None, f"no rule {rule_id}"
    with tempfile.TemporaryDirectory(prefix="govcheck-rule-") as tmp:
        root = write_repo(Path(tmp), packet_text, files, config, wp_id)
        found = run_rules(root, wp_id, run_results=run_results,
                          all_packets=all_packets, change_set=change_set, today=today)
    return [f for f in found if f.rule == rule_id]


def check_contract_rule(rule_id: str, wp_id: str | None, edit: Callable[[Path], None] | None = None, *,
                        today: _dt.date = TODAY) -> list[Finding]:
    """The findings of ``rule_id`` alone for packet ``wp_id`` of a copy of
    fixtures/contract-era (contract packets: packet.json, MT-NNN.json,
    generated projections, an indexed spec bundle), after ``edit(root)``
    changed the copy. ``wp_id=None``: the repo rules alone."""
    from govcheck.rules import get_rule

    assert get_rule(rule_id) is not None, f"no rule {rule_id}"
    with tempfile.TemporaryDirectory(prefix="govcheck-rule-") as tmp:
        root = copy_fixture(CONTRACT_FIXTURE, Path(tmp) / "repo")
        if edit is not None:
            edit(root)
        found = run_rules(root, wp_id, today=today)
    return [f for f in found if f.rule == rule_id]


def assert_contract_waiver(rule_id: str, wp_id: str) -> None:
    """A waiver in govcheck.yaml marks every finding of ``rule_id`` for
    contract packet ``wp_id`` of fixtures/contract-era. (A contract packet
    has no WAIVERS GRANTED of its own: its Markdown, when there is one, is
    a generated projection, and editing it is drift.)"""
    assert check_contract_rule(rule_id, wp_id), "the waiver case must start from a failing packet"

    def waive(root: Path) -> None:
        (root / "govcheck.yaml").write_text(config_waiver(rule_id, wp_id=wp_id), encoding="utf-8")

    assert_waived(check_contract_rule(rule_id, wp_id, waive), "W-CONFIG-TEST")


def messages(found: Iterable[Finding]) -> list[str]:
    return [f.message for f in found]


def assert_findings(found: list[Finding], expected: list[str]) -> None:
    """Each expected fragment in the message of the finding at its place,
    and as many findings as fragments."""
    got = messages(found)
    assert len(got) == len(expected), got
    for message, fragment in zip(got, expected):
        assert fragment in message, (fragment, message)


def assert_waived(found: list[Finding], waiver_id: str = "W-RULE-TEST") -> None:
    assert found, "the waiver case must start from a failing packet"
    assert all(f.waived_by == waiver_id for f in found), [(f.message, f.waived_by) for f in found]


# -- helpers of the tests that start from the storage-foundation fixture -----------

WP = "WP-1-Job-Queue-v2"
BOARD = ".GOV/roles_shared/TASK_BOARD.md"
GOOD_LINES = GOOD_GEN2.split("\n")
DATA = Path(__file__).resolve().parents[1] / "data" / "rules_b"

GOOD_BOARD = """# Task Board

## Ready for Dev
- **[WP-1-Ready]** - [READY_FOR_DEV]

## Stub Backlog (Not Activated)
- **[WP-1-Later]** - [STUB]

## In Progress

## Done
- **[WP-1-Storage-Foundation]** - [VALIDATED]

## Blocked
- **[WP-1-Wait]** - [BLOCKED] - waiting on the storage decision

---

## Superseded (Archive)
- **[WP-1-Old]** - [SUPERSEDED]
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` holding ``needle``."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def line_exactly(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that is ``needle``."""
    return text.split("\n").index(needle) + 1


def variant(repo: Path, old: str, new: str, wp_id: str = WP) -> str:
    """Write the fixture's good packet with ``old`` replaced by ``new``."""
    assert old in GOOD_GEN2, old
    text = GOOD_GEN2.replace(old, new)
    write_packet(repo, wp_id, text)
    return text


def rule_ids(repo: Path, wp_id: str = WP) -> list[str]:
    _, report = validate_json(repo, wp_id)
    return [f["rule"] for f in findings(report, wp_id)]


def rule_findings(repo: Path, rule: str, wp_id: str = WP, extra: tuple[str, ...] = ()) -> list[dict]:
    _, report = validate_json(repo, wp_id, extra=extra)
    return findings(report, wp_id, rule=rule)


def set_config(repo: Path, text: str) -> None:
    (repo / "govcheck.yaml").write_text(text, encoding="utf-8")


def set_board(repo: Path, text: str) -> None:
    (repo / BOARD).write_text(text, encoding="utf-8")


def repo_findings(repo: Path, rule: str) -> list[dict]:
    _, report = validate_json(repo, "--all")
    return [f for f in report.get("repo_findings") or [] if f["rule"] == rule]
