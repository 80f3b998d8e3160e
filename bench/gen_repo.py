"""Generate a large synthetic governance repo for benchmarks.

    python bench/gen_repo.py OUT [--packets N] [--spec-bytes B] [--seed S]

The repo follows the April-May 2026 layout: ``.GOV/spec/SPEC_CURRENT.md``
names the newest spec by path (bold), older specs live in
``.GOV/spec/history/``, and ``.GOV/task_packets/`` holds packets of every
generation mixed together (gen1 bold bullets, gen1 headings, gen2
PACKET_FORMAT_VERSION, gen3 folders with packet.json + packet.md, some flat
copies beside their folders). Packets carry long EVIDENCE and
VALIDATION_REPORTS sections with pasted logs, so 1,200 packets come to about
15 MB. Everything is deterministic for a given seed. The text is generated
from word lists; it imitates the shape of real packets, not their content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_NOUNS = (
    "ledger", "queue", "worker", "snapshot", "manifest", "registry", "gateway", "scheduler", "journal",
    "bundle", "artifact", "checkpoint", "session", "index", "catalog", "pipeline", "adapter", "budget",
    "policy", "token", "profile", "record", "channel", "workspace", "envelope", "receipt", "lease",
    "shard", "cursor", "digest", "trace", "surface", "runtime", "guard", "template", "timeline",
)
_VERBS = (
    "records", "validates", "rejects", "persists", "replays", "emits", "resolves", "pins", "hashes",
    "schedules", "retries", "archives", "streams", "verifies", "indexes", "migrates", "audits",
    "compacts", "locks", "exports", "imports", "rebuilds", "summarises", "throttles",
)
_ADJS = (
    "deterministic", "append-only", "canonical", "bounded", "idempotent", "portable", "versioned",
    "local-first", "sealed", "ordered", "resumable", "observable", "typed", "scoped", "durable",
    "lazy", "strict", "reversible", "signed", "normalised",
)
_ADVERBS = ("always", "never", "only", "first", "eventually", "explicitly", "atomically", "once")
_TOPICS = (
    "Storage", "Job-Queue", "Flight-Recorder", "Model-Swap", "Canvas", "Capability", "Context-Pack",
    "Retrieval", "Terminal", "Workspace", "Sync", "Search", "Telemetry", "Diff-View", "Prompt-Cache",
    "Secrets", "Plugin-Host", "Scheduler", "Importer", "Exporter", "Graph", "Timeline", "Editor",
    "Auth", "Quota", "Replay", "Snapshot", "Backup", "Outline", "Renderer", "Inbox", "Runbook",
)
_QUALIFIERS = (
    "Foundation", "Hardening", "Runtime", "Contract", "Audit", "Surface", "Plumbing", "Baseline",
    "Migration", "Guards", "Events", "Schema", "Budget", "Recovery", "Parity", "Cleanup",
)
_STATUSES = ("Ready for Dev", "In Progress", "Done", "Done [VALIDATED]", "Validated", "Blocked",
             "Done (Historical)", "In Progress")
_TIERS = ("LOW", "MEDIUM", "HIGH")
_CRATES = ("core", "storage", "jobs", "recorder", "llm", "mex", "ace", "canvas", "sync")


class _Text:
    """Sentence and log-line factories over a seeded RNG, with a pool of
    pre-built sentences so generating megabytes stays fast."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = [self._sentence() for _ in range(3000)]

    def _sentence(self) -> str:
        r = self.rng
        words = [
            "The", r.choice(_ADJS), r.choice(_NOUNS), r.choice(_ADVERBS), r.choice(_VERBS), "each",
            r.choice(_NOUNS),
        ]
        if r.random() < 0.5:
            words += ["before", "the", r.choice(_ADJS), r.choice(_NOUNS), r.choice(_VERBS), "it"]
        if r.random() < 0.3:
            words += ["so", "that", "a", r.choice(_NOUNS), "stays", r.choice(_ADJS)]
        return " ".join(words) + "."

    def sentence(self) -> str:
        return self.rng.choice(self.pool)

    def paragraph(self, lo: int = 2, hi: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def title(self, lo: int = 2, hi: int = 4) -> str:
        r = self.rng
        words = [r.choice(_ADJS).capitalize()] + [r.choice(_NOUNS).capitalize() for _ in range(r.randint(lo, hi) - 1)]
        return " ".join(words)

    def path(self) -> str:
        r = self.rng
        crate = r.choice(_CRATES)
        kind = r.choice(("src", "src", "tests"))
        return f"src/backend/handshake_{crate}/{kind}/{r.choice(_NOUNS)}_{r.choice(_NOUNS)}.rs"

    def log_lines(self, n: int, wp_id: str) -> list[str]:
        """A pasted console log: cargo output, test results, gate checks,
        a few lines that look like Markdown headings or section numbers."""
        r = self.rng
        out: list[str] = []
        k = 0
        while len(out) < n:
            k += 1
            choice = r.random()
            if choice < 0.35:
                out.append(f"test {r.choice(_NOUNS)}::{r.choice(_NOUNS)}_{r.choice(_VERBS)}_{k} ... ok")
            elif choice < 0.45:
                out.append(f"   Compiling handshake_{r.choice(_CRATES)} v0.{r.randint(1, 9)}.{r.randint(0, 20)} "
                           f"(/work/src/backend/handshake_{r.choice(_CRATES)})")
            elif choice < 0.55:
                out.append(f"[2026-0{r.randint(1, 6)}-{r.randint(10, 28)}T{r.randint(10, 23)}:{r.randint(10, 59)}:"
                           f"{r.randint(10, 59)}Z] INFO {r.choice(_NOUNS)}: {self.sentence()}")
            elif choice < 0.62:
                out.append(f"warning: unused variable `{r.choice(_NOUNS)}_{k}` --> {self.path()}:{r.randint(1, 900)}:{r.randint(1, 80)}")
            elif choice < 0.68:
                out.append(f"Check {r.randint(1, 9)}: {self.title()} ... PASS")
            elif choice < 0.72:
                # Markdown-looking lines inside a pasted log are not structure.
                out.append(r.choice((
                    f"## {r.randint(1, 12)}.{r.randint(1, 9)} {self.title()}",
                    "# Run before handoff:",
                    f"### VALIDATION REPORT - {wp_id} (pasted output)",
                    "- **STATUS**: Done",
                    f"SPEC_ANCHOR: {r.randint(1, 12)}.{r.randint(1, 9)}.{r.randint(1, 9)}",
                )))
            elif choice < 0.80:
                out.append(f"test result: ok. {r.randint(5, 300)} passed; 0 failed; {r.randint(0, 3)} ignored; "
                           f"finished in {r.random() * 20:.2f}s")
            elif choice < 0.85:
                out.append("")
            else:
                out.append("    " + self.sentence())
        return out


# --------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------


def _revision(section_id: str, version: str) -> int:
    """How many times a section's text was revised up to ``version``: each
    spec version rewrites about 3% of the sections, so successive versions
    share most of their text (as real spec bumps do)."""
    minor = int(version.split(".")[-1])
    rev = 0
    for v in range(max(0, minor - 12), minor + 1):
        digest = hashlib.blake2b(f"{section_id}@{v}".encode(), digest_size=2).digest()
        if int.from_bytes(digest, "big") % 33 == 0:
            rev += 1
    return rev


_SENTENCE_POOL: list[str] = []


def _pool() -> list[str]:
    if not _SENTENCE_POOL:
        _SENTENCE_POOL.extend(_Text(random.Random(7)).pool)
    return _SENTENCE_POOL


def make_spec(target_bytes: int, version: str) -> bytes:
    """A master spec of about ``target_bytes``: thousands of numbered
    headings from ``#`` to ``#####`` (depth and level do not always agree),
    prose, fenced templates holding fake headings, unnumbered headings, and
    an appendix that repeats some numbers. The numbering skeleton is the
    same for every version, and each section's text depends only on its
    number and revision, so successive versions differ in a few sections."""
    shape = random.Random(20260401)  # numbering skeleton: version independent
    pool = _pool()
    parts: list[str] = [
        f"# Handshake Master Spec v{version}\n\n",
        f"Version: v{version}. " + " ".join(pool[:4]) + "\n\n",
    ]
    size = sum(len(p) for p in parts)

    def emit(s: str) -> None:
        nonlocal size
        parts.append(s)
        size += len(s.encode("utf-8"))

    def title(r: random.Random) -> str:
        return " ".join([r.choice(_ADJS).capitalize()] + [r.choice(_NOUNS).capitalize() for _ in range(r.randint(1, 3))])

    def section(hashes: str, sid: str, suffix: str = "") -> None:
        r = random.Random(f"{sid}#{_revision(sid, version)}")
        emit(f"{hashes} {sid} {title(r)}{suffix}\n\n")
        for _ in range(r.randint(1, 3)):
            emit(" ".join(r.choice(pool) for _ in range(r.randint(2, 6))) + "\n\n")
        roll = r.random()
        if roll < 0.12:
            emit("```markdown\n")
            emit(f"# TEMPLATE {title(r)}\n\n## {r.randint(1, 20)}.{r.randint(1, 9)} {title(r)}\n")
            emit(f"- **STATUS**: {r.choice(_STATUSES)}\n{r.choice(pool)}\n```\n\n")
        elif roll < 0.2:
            emit("```rust\n")
            for _ in range(r.randint(3, 12)):
                emit(f"    let {r.choice(_NOUNS)} = {r.choice(_NOUNS)}.{r.choice(_VERBS)}()?; // {r.choice(pool)}\n")
            emit("```\n\n")
        elif roll < 0.26:
            emit(f"**Normative:** {r.choice(pool)}\n\n- {r.choice(pool)}\n- {r.choice(pool)}\n\n")
        elif roll < 0.3:
            emit(f"#### {title(r)} (informative)\n\n{r.choice(pool)} {r.choice(pool)}\n\n")

    chapter = 0
    while size < target_bytes:
        chapter += 1
        section("#", f"{chapter}.")
        for s1 in range(1, shape.randint(4, 9) + 1):
            if size >= target_bytes:
                break
            section("##", f"{chapter}.{s1}")
            for s2 in range(1, shape.randint(2, 7) + 1):
                section("###", f"{chapter}.{s1}.{s2}")
                for s3 in range(1, shape.randint(0, 4) + 1):
                    # Real specs do not always deepen the '#' with the number.
                    level = 4 if shape.random() < 0.85 else 5
                    section("#" * level, f"{chapter}.{s1}.{s2}.{s3}")
                    for s4 in range(0, shape.randint(0, 2)):
                        section("#####", f"{chapter}.{s1}.{s2}.{s3}.{s4}", " (Normative)")
    emit("# Appendix A. Repeated Numbers\n\n")
    for k in range(1, 6):
        emit(f"## {k}.{k} Appendix copy of {k}.{k}\n\n{pool[k]}\n\n")
    return "".join(parts).encode("utf-8")


# --------------------------------------------------------------------------
# Packets
# --------------------------------------------------------------------------


def _spec_name(version: str) -> str:
    return f"Handshake_Master_Spec_v{version}.md"


def _anchor(r: random.Random) -> str:
    # Chapters 1-6, first four subsections, first two levels below: present
    # in every generated spec of 1 MB or more.
    return f"{r.randint(1, 6)}.{r.randint(1, 4)}.{r.randint(1, 2)}"


class _PacketWriter:
    def __init__(self, text: _Text, versions: tuple[str, ...]) -> None:
        self.t = text
        self.r = text.rng
        self.versions = versions

    # -- shared blocks ------------------------------------------------------

    def _test_commands(self, wp_id: str) -> list[str]:
        r = self.r
        return [
            "# Run before handoff:",
            f"just pre-work {wp_id}",
            f"cargo test --manifest-path src/backend/handshake_{r.choice(_CRATES)}/Cargo.toml",
            "cargo clippy --all-targets --all-features",
            f"just post-work {wp_id}",
        ]

    def _criteria(self) -> list[str]:
        return [self.t.sentence() for _ in range(self.r.randint(3, 7))]

    def _evidence(self, wp_id: str, log_lines: int) -> list[str]:
        r, t = self.r, self.t
        out = ["## EVIDENCE", "- (Coder appends command output and proof of work here; no verdicts.)"]
        remaining = log_lines
        n = 0
        while remaining > 0:
            n += 1
            chunk = min(remaining, r.randint(20, 160))
            remaining -= chunk
            cmd = r.choice(("cargo test", "just validator-scan", "just post-work " + wp_id, "cargo clippy --all-targets"))
            out += [
                f"- COMMAND: `{cmd}`",
                f"- EXIT_CODE: {r.choice((0, 0, 0, 1))}",
                f"- LOG_PATH: .handshake/logs/{wp_id}/run-{n}.log",
                f"- LOG_SHA256: {hashlib.sha256(f'{wp_id}-{n}'.encode()).hexdigest()}",
                f"- PROOF_LINES: {r.randint(1, 40)}-{r.randint(41, 90)}",
                "```text",
                *t.log_lines(chunk, wp_id),
                "```",
            ]
        return out

    def _reports(self, wp_id: str, log_lines: int, heading: str = "## VALIDATION_REPORTS") -> list[str]:
        r, t = self.r, self.t
        out = [heading, "- (Validator appends reports here; append-only.)", ""]
        remaining = log_lines
        k = 0
        while remaining > 0 or k == 0:
            k += 1
            chunk = max(0, min(remaining, r.randint(30, 200)))
            remaining -= chunk
            verdict = r.choice(("PASS", "FAIL", "PASS", "OUTDATED_ONLY"))
            out += [
                f"### VALIDATION REPORT - {wp_id} (2026-0{r.randint(1, 6)}-{r.randint(10, 28)})",
                f"Verdict: {verdict}",
                "",
                "Scope Inputs:",
                f"- Task Packet: .GOV/task_packets/{wp_id}.md (STATUS: {r.choice(_STATUSES)})",
                f"- Spec: packet pinned {_spec_name(r.choice(self.versions))}; SPEC_CURRENT moved since "
                f"(sections {_anchor(r)} and {_anchor(r)} re-read).",
                "",
                "Findings:",
                *[f"{i}. {t.sentence()} [CX-{r.randint(100, 999)}]" for i in range(1, r.randint(2, 6))],
                "",
                "Commands re-run by the validator:",
                "```text",
                *t.log_lines(chunk, wp_id),
                "```",
                "",
                f"REASON FOR {'PASS' if verdict == 'PASS' else 'FAIL'}: {t.sentence()}",
                "",
            ]
        return out

    def _mapping(self, criteria: list[str], files: list[str]) -> list[str]:
        """EVIDENCE_MAPPING lines: most packets keep only the template line
        (as in the real snapshot); some map every criterion, a few only the
        first ones."""
        r = self.r
        if r.random() < 0.7:
            return ["- (Map each DONE_MEANS bullet to REQUIREMENT / EVIDENCE pairs.)"]
        n = len(criteria) if r.random() < 0.8 else r.randint(1, len(criteria))
        out: list[str] = []
        for c in criteria[:n]:
            out += [f'- REQUIREMENT: "{c}"', f"- EVIDENCE: {r.choice(files)}:{r.randint(1, 300)}"]
        return out

    def _paths(self, lo: int = 2, hi: int = 8) -> list[str]:
        return [self.t.path() for _ in range(self.r.randint(lo, hi))]

    # -- generations --------------------------------------------------------

    def gen1(self, wp_id: str, evidence: int, reports: int) -> str:
        r, t = self.r, self.t
        version = r.choice(self.versions)
        lines = [
            f"# Task Packet: {wp_id}",
            "",
            "## Metadata",
            f"- TASK_ID: {wp_id}",
            f"- DATE: 2026-0{r.randint(1, 5)}-{r.randint(10, 28)}",
            "- REQUESTOR: Operator",
            f"- AGENT_ID: orchestrator-{r.choice(('a', 'b', 'c'))}",
            "- ROLE: Orchestrator",
            f"  - **Status:** {r.choice(_STATUSES)}",
            f"- USER_SIGNATURE: op{r.randint(10**9, 10**10 - 1)}",
            "",
            "## Scope",
            f"- **What**: {t.sentence()} (per Master Spec v{version} \u00a7{_anchor(r)})",
            f"- **Why**: {t.sentence()}",
            "- **IN_SCOPE_PATHS**:",
            *[f"  * {p}" for p in self._paths()],
            "- **OUT_OF_SCOPE**:",
            *[f"  * {t.sentence()}" for _ in range(r.randint(1, 3))],
            "",
            "## Quality Gate",
            f"- **RISK_TIER**: {r.choice(_TIERS)}",
            f"  - Justification: {t.sentence()}",
            "- **TEST_PLAN**:",
            "  ```bash",
            *[f"  {c}" for c in self._test_commands(wp_id)],
            "  ```",
            "- **DONE_MEANS**:",
            *[f"  * {c}" for c in self._criteria()],
            "",
            "## ROLLBACK_HINT",
            "```bash",
            "git revert <commit-sha>",
            "```",
            "",
            "## BOOTSTRAP (Coder Work Plan)",
            "- **FILES_TO_OPEN**:",
            *[f"  * {p}" for p in self._paths(2, 5)],
            "- **SEARCH_TERMS**:",
            *[f'  * "{r.choice(_NOUNS)}_{r.choice(_VERBS)}"' for _ in range(r.randint(2, 5))],
            "",
            "## SKELETON",
            *[f"- {t.sentence()}" for _ in range(r.randint(2, 4))],
            "",
            "SKELETON APPROVED",
            "",
            "## Authority",
            "- **SPEC_CURRENT**: .GOV/spec/SPEC_CURRENT.md",
            f"- **Master Spec**: {_spec_name(version)} (\u00a7{_anchor(r)} {t.title()}, \u00a7{_anchor(r)} {t.title()})",
            "- **Codex**: Handshake Codex v1.4.md",
            "",
            "## Notes",
            t.paragraph(3, 8),
            "",
            *self._evidence(wp_id, evidence),
            "",
            *self._reports(wp_id, reports, "## VALIDATION"),
        ]
        return "\n".join(lines) + "\n"

    def gen1_headings(self, wp_id: str, evidence: int, reports: int) -> str:
        r, t = self.r, self.t
        version = r.choice(self.versions)
        lines = [
            f"# Task Packet: {wp_id}",
            "",
            "## Metadata",
            f"- TASK_ID: {wp_id}",
            f"- STATUS: {r.choice(_STATUSES)}",
            "- REQUESTOR: Operator",
            f"- USER_SIGNATURE: op{r.randint(10**9, 10**10 - 1)}",
            "",
            "## SPEC_CURRENT",
            f"- `{_spec_name(version)}`",
            "",
            "## RISK_TIER",
            f"- Level: {r.choice(_TIERS)}",
            f"- Reason: {t.sentence()}",
            "",
            "## Scope",
            f"### What\n{t.sentence()}",
            f"### Why\n{t.sentence()}",
            "### IN_SCOPE_PATHS",
            *[f"- {p}" for p in self._paths()],
            "",
            "## TEST_PLAN",
            "```bash",
            *self._test_commands(wp_id),
            "```",
            "",
            "## DONE_MEANS",
            *[f"- {c}" for c in self._criteria()],
            "",
            "## SPEC_ANCHOR",
            f"- {_spec_name(version)} \u00a7{_anchor(r)} ({t.title()})",
            "",
            "## BOOTSTRAP",
            *[f"- {t.sentence()}" for _ in range(r.randint(2, 4))],
            "",
            "## SKELETON",
            t.paragraph(1, 3),
            "",
            "## SKELETON APPROVED",
            "",
            "## IMPLEMENTATION",
            t.paragraph(2, 6),
            "",
            *self._evidence(wp_id, evidence),
            "",
            *self._reports(wp_id, reports),
        ]
        return "\n".join(lines) + "\n"

    def gen2(self, wp_id: str, evidence: int, reports: int) -> str:
        r, t = self.r, self.t
        version = r.choice(self.versions)
        base = wp_id.rsplit("-v", 1)[0] if wp_id.rsplit("-v", 1)[-1].isdigit() else wp_id
        files = self._paths(1, 3)
        criteria = self._criteria()
        lines = [
            f"# Task Packet: {wp_id}",
            "",
            "## METADATA",
            f"- TASK_ID: {wp_id}",
            f"- WP_ID: {wp_id}",
            f"- BASE_WP_ID: {base}",
            f"- DATE: 2026-0{r.randint(2, 5)}-{r.randint(10, 28)}T12:00:00.000Z",
            f"- MERGE_BASE_SHA: {hashlib.sha1(wp_id.encode()).hexdigest()}",
            "- REQUESTOR: Operator",
            "- AGENT_ID: orchestrator",
            "- ROLE: Orchestrator",
            "- CODER_MODEL: model-x",
            "- CODER_REASONING_STRENGTH: HIGH",
            f"- **Status:** {r.choice(_STATUSES)}",
            f"- RISK_TIER: {r.choice(_TIERS)}",
            f"- USER_SIGNATURE: op{r.randint(10**9, 10**10 - 1)}",
            "- PACKET_FORMAT_VERSION: 2026-02-01",
            "",
            "## TECHNICAL_REFINEMENT (MASTER SPEC)",
            f"- REFINEMENT_FILE: .GOV/refinements/{wp_id}.md",
            "",
            "## SCOPE",
            f"- What: {t.sentence()}",
            f"- Why: {t.sentence()}",
            "- IN_SCOPE_PATHS:",
            *[f"  - {p}" for p in self._paths()],
            "- OUT_OF_SCOPE:",
            *[f"  - {t.sentence()}" for _ in range(r.randint(1, 3))],
            "",
            "## WAIVERS GRANTED",
            "- NONE" if r.random() < 0.8 else
            f"- Waiver ID: W-{r.randint(1, 99)} | Date: 2026-03-0{r.randint(1, 9)} | Scope: {t.title()} | "
            f"Justification: {t.sentence()}",
            "",
            "## QUALITY_GATE",
            "### TEST_PLAN",
            "```bash",
            *self._test_commands(wp_id),
            "```",
            "",
            "### DONE_MEANS",
            *[f"- {c}" for c in criteria],
            "",
            "### ROLLBACK_HINT",
            "```bash",
            "git revert <commit-sha>",
            "```",
            "",
            "## AUTHORITY",
            f"- SPEC_BASELINE: {_spec_name(version)} (recorded_at: 2026-03-01T10:00:00Z)",
            "- SPEC_TARGET: .GOV/spec/SPEC_CURRENT.md (closure/revalidation target; resolved at validation time)",
            f"- SPEC_ANCHOR: {_spec_name(version)} {_anchor(r)} ({t.title()}) and {_anchor(r)} ({t.title()})",
            "- Codex: Handshake Codex v1.4.md",
            "",
            "## LINEAGE_AUDIT (ALL VERSIONS) [CX-580E]",
            *[f"- {t.sentence()}" for _ in range(r.randint(1, 3))],
            "",
            "## BOOTSTRAP",
            "- FILES_TO_OPEN:",
            *[f"  - {p}" for p in self._paths(2, 5)],
            "- RUN_COMMANDS:",
            "  ```bash",
            "  cargo test",
            "  ```",
            "",
            "## SKELETON",
            *[f"- {t.sentence()}" for _ in range(r.randint(2, 4))],
            "",
            "SKELETON APPROVED",
            "",
            "## END_TO_END_CLOSURE_PLAN [CX-E2E-001]",
            "- END_TO_END_CLOSURE_PLAN_APPLICABLE: YES",
            f"- TRUST_BOUNDARY: client->server ({t.title()})",
            *[f"- {name}:\n  - {t.sentence()}" for name in (
                "SERVER_SOURCES_OF_TRUTH", "REQUIRED_PROVENANCE_FIELDS", "VERIFICATION_PLAN",
                "ERROR_TAXONOMY_PLAN", "UI_GUARDRAILS", "VALIDATOR_ASSERTIONS")],
            "",
            "## IMPLEMENTATION",
            t.paragraph(3, 6),
            "",
            "## HYGIENE",
            *[f"- {t.sentence()}" for _ in range(r.randint(1, 3))],
            "",
            "## VALIDATION",
            *[line for f in files for line in (
                f"- **Target File**: `{f}`",
                f"- **Start**: {r.randint(1, 50)}",
                f"- **End**: {r.randint(51, 400)}",
                f"- **Line Delta**: {r.randint(-20, 80)}",
                f"- **Pre-SHA1**: `{hashlib.sha1((f + 'a').encode()).hexdigest()}`",
                f"- **Post-SHA1**: `{hashlib.sha1((f + 'b').encode()).hexdigest()}`",
                "- [x] compile", "- [x] tests", "- [ ] manual review",
            )],
            "",
            "## STATUS_HANDOFF",
            f"- Current WP_STATUS: {t.sentence()}",
            "",
            "## EVIDENCE_MAPPING",
            *self._mapping(criteria, files),
            "",
            *self._evidence(wp_id, evidence),
            "",
            *self._reports(wp_id, reports),
        ]
        return "\n".join(lines) + "\n"

    def gen3(self, wp_id: str, evidence: int, reports: int) -> tuple[str, bytes]:
        r, t = self.r, self.t
        version = r.choice(self.versions)
        anchors = [_anchor(r) for _ in range(r.randint(1, 3))]
        criteria = self._criteria()
        paths = self._paths()
        status = r.choice(_STATUSES)
        contract = {
            "schema_id": "hsk.work_packet_contract@1",
            "wp_id": wp_id,
            "lifecycle": {"status": status, "risk_tier": r.choice(_TIERS),
                          "user_signature": f"op{r.randint(10**9, 10**10 - 1)}"},
            "scope": {"summary": t.sentence(), "acceptance_criteria": criteria,
                      "spec_anchors": [f"{a} {t.title()}" for a in anchors], "allowed_paths": paths},
            "spec": {"spec_baseline": f"v{version}"},
        }
        js = (json.dumps(contract, indent=2) + "\n").encode("utf-8")
        source_hash = hashlib.sha256(js).hexdigest()
        body = [
            f"# Work Packet: {wp_id}",
            "",
            "## METADATA",
            f"- WP_ID: {wp_id}",
            f"- STATUS: {status}",
            f"- RISK_TIER: {contract['lifecycle']['risk_tier']}",
            f"- USER_SIGNATURE: {contract['lifecycle']['user_signature']}",
            "",
            "## SCOPE",
            f"- What: {contract['scope']['summary']}",
            "- IN_SCOPE_PATHS:",
            *[f"  - {p}" for p in paths],
            "",
            "## QUALITY_GATE",
            "### TEST_PLAN",
            "```bash",
            *self._test_commands(wp_id),
            "```",
            "### DONE_MEANS",
            *[f"- {c}" for c in criteria],
            "",
            "## AUTHORITY",
            f"- SPEC_BASELINE: {_spec_name(version)}",
            "- SPEC_TARGET: .GOV/spec/SPEC_CURRENT.md",
            f"- SPEC_ANCHOR: {_spec_name(version)} {' and '.join(anchors)}",
            "",
            "## BOOTSTRAP",
            f"- {t.sentence()}",
            "",
            "## SKELETON",
            f"- {t.sentence()}",
            "",
            "SKELETON APPROVED",
            "",
            *self._evidence(wp_id, evidence),
            "",
            *self._reports(wp_id, reports),
        ]
        md_body = "\n".join(body) + "\n"
        proj = hashlib.sha256(md_body.encode("utf-8")).hexdigest()
        header = (f"<!-- HANDSHAKE_GENERATED_PROJECTION schema_id=hsk.work_packet_contract@1 source_file=packet.json "
                  f"source_hash={source_hash} projection_hash={proj} generated_at_utc=2026-05-01T00:00:00Z -->\n")
        return header + md_body, js


def _packet_ids(r: random.Random, n: int) -> list[str]:
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < n:
        base = f"WP-{r.randint(1, 3)}-{r.choice(_TOPICS)}-{r.choice(_QUALIFIERS)}"
        if r.random() < 0.4:
            base += f"-v{r.randint(1, 5)}"
        if base in seen:
            base += f"-{len(ids)}"
        if base in seen:
            continue
        seen.add(base)
        ids.append(base)
    return ids


def _log_budget(r: random.Random) -> int:
    """Lines of pasted logs for one packet: most packets carry a few dozen
    to a few hundred, some carry well over a thousand."""
    roll = r.random()
    if roll < 0.4:
        return r.randint(15, 60)
    if roll < 0.82:
        return r.randint(60, 140)
    if roll < 0.96:
        return r.randint(140, 300)
    return r.randint(300, 1000)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def make_repo(
    root: Path,
    n_packets: int = 1200,
    spec_versions: tuple[str, ...] = ("02.180", "02.181", "02.182", "02.183"),
    spec_bytes: int = 4_000_000,
    seed: int = 1,
) -> dict:
    """Write the repo under ``root`` and return a summary (counts, bytes)."""
    root = Path(root)
    r = random.Random(seed)
    text = _Text(r)
    versions = tuple(spec_versions)
    newest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    spec_dir = root / ".GOV" / "spec"
    for v in versions:
        folder = spec_dir if v == newest else spec_dir / "history"
        _write(folder / _spec_name(v), make_spec(spec_bytes, v))
    _write(spec_dir / "SPEC_CURRENT.md", (
        "# SPEC_CURRENT\n\nThe current authoritative Master Specification is:\n\n"
        f"**.GOV/spec/{_spec_name(newest)}**\n\n(Updated: 2026-05-01 - generated benchmark repo)\n\n---\n\n"
        "The current authoritative Governance Reference is:\n\n**Handshake Codex v1.4.md**\n"
    ).encode("utf-8"))
    (root / ".GOV" / "roles_shared").mkdir(parents=True, exist_ok=True)

    writer = _PacketWriter(text, versions)
    packets_dir = root / ".GOV" / "task_packets"
    counts = {"gen1": 0, "gen1-headings": 0, "gen2": 0, "gen3": 0, "flat-copies": 0}
    total = 0
    for wp_id in _packet_ids(r, n_packets):
        budget = _log_budget(r)
        evidence = int(budget * r.uniform(0.3, 0.7))
        reports = budget - evidence
        roll = r.random()
        if roll < 0.25:
            md = writer.gen1(wp_id, evidence, reports)
            kind = "gen1"
        elif roll < 0.38:
            md = writer.gen1_headings(wp_id, evidence, reports)
            kind = "gen1-headings"
        elif roll < 0.75:
            md = writer.gen2(wp_id, evidence, reports)
            kind = "gen2"
        else:
            md, js = writer.gen3(wp_id, evidence, reports)
            kind = "gen3"
        counts[kind] += 1
        data = md.encode("utf-8")
        if kind != "gen3" and r.random() < 0.3:
            data = b"\xef\xbb\xbf" + data  # many real packets carry a BOM
        if kind in ("gen1", "gen1-headings") and r.random() < 0.1:
            data = data.replace(b"\n", b"\r\n")
        if kind == "gen3":
            folder = packets_dir / wp_id
            _write(folder / "packet.md", data)
            _write(folder / "packet.json", js)
            total += len(data) + len(js)
            if r.random() < 0.25:  # a legacy flat copy the folder supersedes
                _write(packets_dir / f"{wp_id}.md", data)
                counts["flat-copies"] += 1
                total += len(data)
        else:
            _write(packets_dir / f"{wp_id}.md", data)
            total += len(data)
    _write(packets_dir / "README.md", b"# Task packets\n\nGenerated for benchmarks.\n")
    return {"packets": n_packets, "packet_bytes": total, **counts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--packets", type=int, default=1200)
    ap.add_argument("--spec-bytes", type=int, default=4_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} exists and is not empty", file=sys.stderr)
        return 2
    summary = make_repo(args.out, n_packets=args.packets, spec_bytes=args.spec_bytes, seed=args.seed)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
