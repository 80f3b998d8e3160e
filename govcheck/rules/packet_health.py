"""Can the packet be read at all: bytes, encoding, Markdown structure,
where it lives."""

from __future__ import annotations

from typing import Iterator

from govcheck.engine.context import Context
from govcheck.errors import GovcheckError
from govcheck.model import Finding, Packet
from govcheck.rules import ERROR, INFO, WARNING, hit, rule


@rule(
    "packet-unreadable",
    severity=ERROR,
    summary="The packet file is empty, binary, or cannot be read",
)
def packet_unreadable(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    The packet file has text: it is not empty (or whitespace only), holds no
    NUL bytes (a binary file saved under a packet name), and could be read.

    Why
    Nothing else can be checked; an empty packet is usually a botched move
    or an editor that truncated the file.

    How to fix
    Restore the packet from history (``git log -- <path>``).

    Example
    A 0-byte ``WP-1-Example.md``.
    """
    for issue in packet.parse_issues:
        if issue.kind in ("empty", "unreadable"):
            yield hit(f"packet {issue.detail}", line=issue.line or 1, data={"kind": issue.kind})
    for issue in packet.decode_issues:
        if issue.kind == "binary":
            yield hit(f"packet holds binary data ({issue.detail})", line=issue.line, data={"kind": "binary"})
            return


@rule(
    "encoding-invalid",
    severity=ERROR,
    summary="The packet is not valid UTF-8",
)
def encoding_invalid(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every byte of the packet decodes as UTF-8 (a BOM is fine). A byte that
    is not UTF-8 but is a Windows-1252 character (0x97, an em dash) is read
    as that character and reported as a warning; any other invalid byte is
    replaced (U+FFFD) and reported as an error. Either way the rest of the
    packet is still checked, and each affected line is named.

    Why
    Tools disagree about what an invalid byte means; a Windows-1252 dash
    saved into a UTF-8 file shows up as garbage in review tools and breaks
    ASCII gates.

    How to fix
    Re-save the file as UTF-8 and replace the character (an em dash
    becomes ``-`` in ASCII-only packets).

    Example
    A lone byte 0x97 (a Windows-1252 em dash) in a sentence.
    """
    for issue in packet.decode_issues:
        if issue.kind == "invalid-utf8":
            yield hit(f"invalid UTF-8: {issue.detail}", line=issue.line, data={"detail": issue.detail})
        elif issue.kind == "cp1252-byte":
            # Recovered: the text is readable, but the file is not clean UTF-8.
            yield hit(f"stray Windows-1252 byte: {issue.detail}", line=issue.line,
                      data={"detail": issue.detail}, severity=WARNING)


_STRUCTURE_KINDS = {
    "unterminated-fence": ERROR,
    "long-line": ERROR,
    "deep-nesting": ERROR,
    "mangled-fence": WARNING,
    # A packet.json that cannot be read (invalid, or nested past the JSON
    # decoder's recursion) was dropped silently: its fields never counted.
    "packet-json-invalid": ERROR,
}


@rule(
    "markdown-malformed",
    severity=ERROR,
    summary="The packet's Markdown structure is broken",
)
def markdown_malformed(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A code fence that is never closed (it swallows the rest of the packet,
    TEST_PLAN and DONE_MEANS included), a line longer than 20,000
    characters (not parsed), list nesting deeper than 40 levels (not
    parsed), and, as a warning, a ```bash fence mangled by a shell rewrite
    into a backtick, a backspace byte and ``ash`` (govcheck reads it as a
    fence and says so).

    Why
    Each makes the packet read differently in different tools; a reviewer
    sees a TEST_PLAN that a script does not, or the other way round.

    How to fix
    Close the fence; split the line; flatten the list; restore the
    ```bash fence.

    Example
        ```bash
        cargo test
        (no closing fence)
    """
    for issue in packet.parse_issues:
        sev = _STRUCTURE_KINDS.get(issue.kind)
        if sev is not None:
            yield hit(issue.detail, line=issue.line, data={"kind": issue.kind}, severity=sev if sev is not ERROR else None)


@rule(
    "packet-superseded",
    severity=INFO,
    summary="A flat WP-*.md file is superseded by the folder packet of the same id",
)
def packet_superseded(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    When a packet exists both as a folder (``WP-ID/packet.md``) and as a
    flat ``WP-ID.md``, the folder is the packet and the flat file is legacy.

    Why
    Readers of the old file may follow stale text; the reference project
    keeps flat files only as copies of the folder projection.

    How to fix
    Delete the flat file once nothing links to it, or keep it identical.

    Example
    ``.GOV/task_packets/WP-1-X.md`` beside ``.GOV/task_packets/WP-1-X/packet.md``.
    """
    for issue in packet.parse_issues:
        if issue.kind == "superseded":
            yield hit(f"{issue.detail} is superseded by this folder packet", line=1, data={"superseded": issue.detail})


@rule(
    "packet-outside-repo",
    severity=ERROR,
    summary="The packet is a symlink that leaves the repository; it was not read",
)
def packet_outside_repo(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    A packet path must resolve inside the repository. A symlink to a file
    elsewhere is refused and not read.

    Why
    A pull request could otherwise make the validator read (and report on,
    or run commands from) any file on the CI machine.

    How to fix
    Commit the packet itself instead of a link.

    Example
    ``WP-1-X.md -> /etc/passwd``
    """
    for issue in packet.parse_issues:
        if issue.kind == "outside-repo":
            yield hit(f"packet resolves outside the repository ({issue.detail}); refused", line=1)


@rule(
    "report-tampered",
    severity=ERROR,
    codex="CX-WP-001",
    summary="A report govcheck appended was edited or removed, or text above it changed",
)
def report_tampered(packet: Packet, ctx: Context) -> Iterator[Finding]:
    """What it checks
    Every report ``govcheck validate --append`` wrote into the packet carries
    the sha256 of the packet bytes before it and of its own text. Both are
    recomputed: a mismatch means an earlier report (or the packet above it)
    was edited, or a report between two others was removed.

    Why
    VALIDATION_REPORTS is append-only [CX-WP-001]: a verdict that can be
    rewritten silently is no record at all.

    How to fix
    Restore the packet from git (``git log -p -- <packet>`` shows the
    edit), then append a new report instead of editing an old one.

    Example
    A FAIL verdict changed to PASS by hand in the first appended report.
    """
    from govcheck.parse.report_markers import appended_reports

    try:
        data = ctx.repo.read_bytes(packet.path)
    except (OSError, GovcheckError):  # unreadable: packet-unreadable says so
        return
    if b"govcheck:report" not in data:
        return
    for rep in appended_reports(data):
        if not rep.prior_ok:
            yield hit(
                "the packet text before this govcheck report changed after the report was appended "
                "(an earlier report or packet text was edited or removed)",
                line=rep.line, data={"check": "prior", "expected": rep.prior_sha256},
            )
        if not rep.body_ok:
            yield hit("this govcheck report was edited after it was appended", line=rep.line,
                      data={"check": "body", "expected": rep.body_sha256})


@rule(
    "packet-deleted",
    severity=WARNING,
    scope="repo",
    summary="The change under review deletes a packet (govcheck ci)",
)
def packet_deleted(ctx: Context) -> Iterator[Finding]:
    """What it checks
    Under ``govcheck ci``: a packet file or folder that existed at the merge
    base and is gone at HEAD (and was not renamed). Outside ``ci`` nothing
    is reported.

    Why
    Packets are the project's record of what was asked and accepted;
    deleting one loses its history and its validation reports. Usually a
    packet is superseded (a ``-vN`` revision, or ``_archive/``), not deleted.

    How to fix
    Restore it and mark it superseded, or move it to ``_archive/``; if the
    deletion is intended, say so in the pull request (or waive the rule in
    govcheck.yaml for that id).

    Example
    ``.GOV/task_packets/WP-1-Old-Idea.md`` deleted in the pull request.
    """
    change = ctx.change_set
    if change is None:
        return
    for wp_id, path in change.deleted:
        yield hit(f"{wp_id} was deleted in {change.base[:12]}..{change.head[:12]}", path=path, line=1,
                  data={"wp_id": wp_id, "path": path})
