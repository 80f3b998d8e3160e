"""DONE_MEANS: present, real, observable, and (once Done) evidenced."""

from __future__ import annotations

from typing import Iterator

from govcheck.engine.context import Context
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, WARNING, hit, rule

from govcheck.analysis.done_means import is_placeholder, is_vague, criteria_status


@rule(
    "done-means-missing",
    severity=ERROR,
    codex="CX-573",
    summary="DONE_MEANS is missing or has no criteria",
)
def done_means_missing(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet has a DONE_MEANS field or section with at least one
    criterion (a bullet or a line of text).

    Why
    DONE_MEANS is the acceptance contract: without it nobody, human or
    agent, can say when the work is finished or what to validate.

    How to fix
    List measurable acceptance criteria, one per bullet.

    Example
        ### DONE_MEANS
        - `cargo test -p storage` passes with the new migration tests.
    """
    if packet.done_means is None:
        yield hit("DONE_MEANS is missing", line=packet.title_line or 1)
    elif not packet.done_means.items:
        yield hit("DONE_MEANS has no criteria", line=packet.done_means.line)


@rule(
    "done-means-placeholder",
    severity=ERROR,
    codex="CX-573D",
    summary="A DONE_MEANS criterion is a template placeholder",
)
def done_means_placeholder(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    No DONE_MEANS criterion is a placeholder: ``tbd``, ``{{...}}``,
    ``<fill>``, ``<pending>``, or the template's ``measurable criterion 1``.

    Why
    A placeholder criterion passes a presence check and promises nothing.

    How to fix
    Replace it with the real criterion, or delete the bullet.

    Example
        - measurable criterion 1
    """
    if packet.done_means is None:
        return
    for item in packet.done_means.items:
        if is_placeholder(item.text):
            yield hit(f"DONE_MEANS criterion is a placeholder: '{item.text[:80]}'", line=item.line, data={"criterion": item.text})


@rule(
    "done-means-vague",
    severity=WARNING,
    summary="A DONE_MEANS criterion names no observable outcome",
)
def done_means_vague(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Each DONE_MEANS criterion should name something a reviewer can observe:
    a command and its result, a file, a number, a behaviour (``returns``,
    ``rejects``, ``emits``, ``shows``, ``passes`` ...). A criterion made only
    of words such as "works properly", "is complete" or "improved", or
    shorter than five words without any checkable term, is reported.

    Why
    "Works as expected" cannot be validated; it turns validation into
    opinion.

    How to fix
    Say what can be seen when it is done: the command, the output, the file.

    Example
        - Storage works properly.          (vague)
        - `just validator-dal-audit` returns PASS with zero violations.  (fine)
    """
    if packet.done_means is None:
        return
    for item in packet.done_means.items:
        if not is_placeholder(item.text) and is_vague(item.text):
            yield hit(f"DONE_MEANS criterion names no observable outcome: '{item.text[:80]}'", line=item.line, data={"criterion": item.text})


@rule(
    "done-means-unevidenced",
    severity=ERROR,
    codex="CX-573",
    summary="A Done packet has a DONE_MEANS criterion without existing evidence",
)
def done_means_unevidenced(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    When the packet's status claims Done or Validated, every DONE_MEANS
    criterion needs an EVIDENCE_MAPPING entry (``REQUIREMENT: "<criterion>"``
    with ``EVIDENCE: path/to/file:line``) whose file exists in the repo and
    has that line. A criterion that says the tests pass is checked against
    the TEST_PLAN outcome instead (see ``test-plan-failed``).

    Why
    "Done" without evidence is the phantom completion that hand validation
    misses: the claim outlives the code that backed it.

    How to fix
    Add the mapping, or fix the path:line after code moved.

    Example
        ## EVIDENCE_MAPPING
        - REQUIREMENT: "Storage trait exposes backend-agnostic methods"
          - EVIDENCE: `src/storage/mod.rs:42`
    """
    if packet.status_class != "done":
        return
    for c in criteria_status(packet, ctx):
        if c.status == "unevidenced":
            yield hit(
                f"criterion has no evidence in the repo ({c.note}): '{c.text[:80]}'",
                line=c.line,
                data={"criterion": c.text, "evidence": list(c.evidence)},
            )
