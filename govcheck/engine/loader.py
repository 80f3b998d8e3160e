"""The packet loader: a packet location in, a parsed Packet out.

Problems reading a packet become parse issues on the model (reported by
the packet-health rules), never exceptions; a parse of the same bytes is
served from the parse cache when one is given.
"""

from __future__ import annotations

import os
from dataclasses import replace

from govcheck.cache.parse import ParseCache, packet_key
from govcheck.errors import GovcheckError
from govcheck.model import DecodeIssue, Packet
from govcheck.repo.config import Config, load_config
from govcheck.repo.repository import LayoutConfig, PacketLocation, Repo
from govcheck.rules import RuleSpec, all_rules

# A packet with no readable text (empty, binary, unreadable, or refused for
# leaving the repo) gets only the packet-health finding that says so.
_UNREAD_KINDS = frozenset({"empty", "unreadable", "outside-repo"})


def is_unread(packet: Packet) -> bool:
    return any(i.kind in _UNREAD_KINDS for i in packet.parse_issues) or any(
        i.kind == "binary" for i in packet.decode_issues
    )


def known_rule_options(rules: dict[str, RuleSpec]) -> dict:
    return {rid: spec.options_schema() for rid, spec in rules.items()}


def open_repo(root, config: Config | None = None) -> tuple[Repo, Config, dict[str, RuleSpec]]:
    """The repo, its config and the rules. ``config`` is given when the run
    is judged with another config than the working tree's (govcheck ci
    uses the merge base's)."""
    rules = all_rules()
    if config is None:
        config = load_config(root, known_rules=known_rule_options(rules))
    layout = config.layout
    repo = Repo(
        root,
        LayoutConfig(
            packets=tuple(layout.packets or ()),
            spec_current=tuple(layout.spec_current or ()),
            spec_dirs=tuple(layout.spec_dirs or ()),
            task_board=tuple(layout.task_board or ()),
            traceability_registry=tuple(layout.traceability_registry or ()),
            refinements=tuple(layout.refinements or ()),
            exclude=tuple(layout.exclude or ()),
        ),
    )
    return repo, config, rules


def read_packet_bytes(repo: Repo, loc: PacketLocation) -> tuple[bytes, bytes | None] | None:
    """The bytes a packet is parsed from (its Markdown, and packet.json's),
    or None when it is not read (it leaves the repo, or cannot be read)."""
    if loc.escapes_repo:
        return None
    try:
        data = repo.read_bytes(loc.path)  # refuses a path leaving the repo
    except GovcheckError:
        return None
    packet_json = None
    if loc.json_path:
        try:
            packet_json = repo.read_bytes(loc.json_path)
        except GovcheckError:
            packet_json = None
    return data, packet_json


def load_packet(repo: Repo, loc: PacketLocation, cache: ParseCache | None = None) -> Packet:
    """Read and parse one packet. ``cache`` is anything with the
    ParseCache get/put protocol."""
    issues: list[DecodeIssue] = []
    if loc.escapes_repo or not repo.inside(repo.abs(loc.path)):
        target = os.path.realpath(repo.abs(loc.path))
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen1",
                      parse_issues=(DecodeIssue("outside-repo", 1, f"-> {target}"),))
    try:
        data = repo.read_bytes(loc.path)
    except GovcheckError as exc:
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen1",
                      parse_issues=(DecodeIssue("unreadable", 1, f"cannot be read: {exc}"),))
    packet_json = None
    if loc.json_path:
        try:
            packet_json = repo.read_bytes(loc.json_path)
        except GovcheckError:
            packet_json = None
    key = packet = None
    if cache is not None:
        key = packet_key(loc.path, data, packet_json)
        packet = cache.get(key)
    if packet is None:
        # Imported here, a real cost: a warm run served from the caches never
        # loads the Markdown parser (markdown-it-py costs ~35 ms to import).
        from govcheck.parse.packet import parse_packet
        from govcheck.parse.text import decode

        decoded = decode(data)
        repo.remember_text(loc.path, decoded.text)  # rules read the same text
        packet = parse_packet(data, packet_id=loc.id, path=loc.path, packet_json=packet_json, decoded=decoded)
        if key is not None:
            cache.put(key, packet)
    for flat in loc.superseded:
        issues.append(DecodeIssue("superseded", 1, flat))
    if issues:
        packet = replace(packet, parse_issues=packet.parse_issues + tuple(issues))
    return packet
