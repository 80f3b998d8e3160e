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
from govcheck.repo.profiles import default_layout
from govcheck.repo.repository import LayoutConfig, PacketLocation, Repo
from govcheck.rules import RuleSpec, all_rules

# A packet with no readable text (empty, binary, unreadable, or refused for
# leaving the repo) gets only the packet-health finding that says so.
_UNREAD_KINDS = frozenset({"empty", "unreadable", "outside-repo"})
# Forms parsed from their contracts alone, never as Markdown.
_NO_PROJECTION = frozenset({"contract", "microtasks"})


def is_unread(packet: Packet) -> bool:
    return any(i.kind in _UNREAD_KINDS for i in packet.parse_issues) or any(
        i.kind == "binary" for i in packet.decode_issues
    )


def known_rule_options(rules: dict[str, RuleSpec]) -> dict:
    return {rid: spec.options_schema() for rid, spec in rules.items()}


def open_repo(root, config: Config | None = None, config_file=None) -> tuple[Repo, Config, dict[str, RuleSpec]]:
    """The repo, its config and the rules. ``config`` is given when the run
    is judged with another config than the working tree's (govcheck ci
    uses the merge base's); ``config_file`` is --config FILE."""
    rules = all_rules()
    if config is None:
        config = load_config(root, known_rules=known_rule_options(rules), config_file=config_file)
    layout = config.layout
    # A profile's own default locations (generic: tasks/, spec/) stand in
    # for keys the config leaves unset.
    defaults = default_layout(config.profile.name)
    repo = Repo(
        root,
        LayoutConfig(
            packets=tuple(layout.packets or defaults.get("packets", ())),
            spec_current=tuple(layout.spec_current or defaults.get("spec_current", ())),
            spec_dirs=tuple(layout.spec_dirs or defaults.get("spec_dirs", ())),
            task_board=tuple(layout.task_board or ()),
            traceability_registry=tuple(layout.traceability_registry or ()),
            refinements=tuple(layout.refinements or ()),
            exclude=tuple(layout.exclude or ()),
        ),
        config.profile,
    )
    return repo, config, rules


def read_packet_bytes(repo: Repo, loc: PacketLocation) -> tuple[bytes, bytes | None] | None:
    """The bytes a packet is parsed from (its Markdown, and packet.json's),
    or None when it is not read (it leaves the repo, or cannot be read)."""
    if loc.escapes_repo or loc.form in _NO_PROJECTION:
        return None  # not parsed as Markdown (see load_packet)
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


def _load_without_projection(repo: Repo, loc: PacketLocation) -> Packet:
    """A packet with no Markdown: its packet.json alone, or microtask
    contracts alone (read by the contract rules; the packet has no text)."""
    if loc.form == "microtasks":
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen3", form="microtasks")
    try:
        data = repo.read_bytes(loc.path)
    except GovcheckError as exc:
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen3", form=loc.form,
                      parse_issues=(DecodeIssue("unreadable", 1, f"cannot be read: {exc}"),))
    # Imported here like the Markdown parser below: a warm run never needs it.
    from govcheck.parse.packet_json import packet_from_contract

    return packet_from_contract(data, packet_id=loc.id, path=loc.path)


def load_packet(repo: Repo, loc: PacketLocation, cache: ParseCache | None = None) -> Packet:
    """Read and parse one packet. ``cache`` is anything with the
    ParseCache get/put protocol."""
    if loc.escapes_repo or not repo.inside(repo.abs(loc.path)):
        target = os.path.realpath(repo.abs(loc.path))
        return Packet(id=loc.id, path=loc.path, sha256="", generation="gen1", form=loc.form,
                      parse_issues=(DecodeIssue("outside-repo", 1, f"-> {target}"),))
    if loc.form in _NO_PROJECTION:
        return _with_location_issues(_load_without_projection(repo, loc), loc)
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
        key = packet_key(loc.path, data, packet_json, profile=repo.profile)
        packet = cache.get(key)
    if packet is None:
        # Imported here, a real cost: a warm run served from the caches never
        # loads the Markdown parser (markdown-it-py costs ~35 ms to import).
        from govcheck.parse.packet import parse_packet
        from govcheck.parse.text import decode

        decoded = decode(data)
        repo.remember_text(loc.path, decoded.text)  # rules read the same text
        packet = parse_packet(data, packet_id=loc.id, path=loc.path, packet_json=packet_json, decoded=decoded,
                              profile=repo.profile)
        if key is not None:
            cache.put(key, packet)
    if packet.contract is not None and loc.json_path and packet.contract.path != loc.json_path:
        # The parser names the contract "packet.json"; findings want its path.
        packet = replace(packet, contract=replace(packet.contract, path=loc.json_path))
    return _with_location_issues(packet, loc)


def _with_location_issues(packet: Packet, loc: PacketLocation) -> Packet:
    """What the packet's place in the repo says about it (a flat file it supersedes)."""
    issues = tuple(DecodeIssue("superseded", 1, flat) for flat in loc.superseded)
    return replace(packet, parse_issues=packet.parse_issues + issues) if issues else packet
