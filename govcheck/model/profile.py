"""The packet and spec model a repository is read with: its *profile*.

Teams keep the same ideas (a versioned spec, task packets with a status,
acceptance criteria, a test plan and spec anchors) under their own names
and layouts. A profile says, as data, what those are called and where they
live; the parser, the repository view and the rules read it instead of
hard-coding one team's dialect. The built-in profiles (``handshake``,
``generic``) are in govcheck/repo/profiles.py, written in the same shape as
the config keys that override them (``fields``, ``required_fields``,
``statuses``, ``layout.packet_files`` / ``id_pattern`` / ``spec_files``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# What a status can mean to govcheck (the verdict and the process rules read
# the meaning, never the word).
STATUS_MEANINGS = ("ready", "active", "done", "blocked", "stub", "superseded")

# The fields govcheck itself reads, by canonical name (config ``fields`` keys
# and ``required_fields`` items). Any other identifier names a field govcheck
# only checks for presence.
KNOWN_FIELDS = (
    "status", "risk_tier", "done_means", "test_plan", "spec_version", "spec_anchors",
    "bootstrap", "user_signature", "rollback_hint", "evidence", "evidence_mapping", "waivers",
    "spec_baseline", "spec_target", "title", "date",
)

_VERSION_GROUP = r"(?P<version>\d+(?:\.\d+)+)"


def field_key(name: str) -> str:
    """How a field name is compared: ``Acceptance criteria`` ->
    ``ACCEPTANCE_CRITERIA`` (upper case, runs of other characters as ``_``)."""
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


# Canonical field -> the internal name the parser files it under, where they
# differ (the reference's names are the parser's own).
_INTERNAL_NAMES = {"spec_anchors": "SPEC_ANCHOR", "spec_version": "SPEC"}


def internal_field(canonical: str) -> str:
    """``done_means`` -> ``DONE_MEANS``; ``spec_anchors`` -> ``SPEC_ANCHOR``."""
    return _INTERNAL_NAMES.get(canonical.lower(), field_key(canonical))


def _pattern_regex(pattern: str, star: str) -> str:
    out = []
    for part in re.split(r"(\{version\}|\*)", pattern):
        if part == "{version}":
            out.append(_VERSION_GROUP)
        elif part == "*":
            out.append(star)
        else:
            out.append(re.escape(part))
    return "".join(out)


@functools.lru_cache(maxsize=256)
def spec_file_regex(pattern: str) -> re.Pattern[str]:
    """A ``spec_files`` pattern as a regular expression over a file's base
    name: ``{version}`` is digits and dots (``1.3``, ``02.123``), ``*`` any
    run of characters, everything else literal (case-insensitive)."""
    return re.compile("^" + _pattern_regex(pattern, r"[^/]*?") + "$", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def spec_reference_regex(pattern: str) -> re.Pattern[str]:
    """A ``spec_files`` pattern as a regular expression finding the file
    named inside a line of text (``per payments-spec-v1.3.md``). A ``*``
    becomes a bounded run of name characters."""
    return re.compile(r"(?<![\w.-])" + _pattern_regex(pattern, r"[\w.-]{0,80}?") + r"(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """A dialect of packets and specs. Empty ``packet_files`` / ``spec_files``
    mean the reference project's discovery (``WP-*`` files and folders,
    ``*Master_Spec_v{version}.md``), which its built-in profile names."""

    name: str = "handshake"
    packet_files: tuple[str, ...] = ()
    id_pattern: str = r"WP-[A-Za-z0-9][A-Za-z0-9._-]*"
    id_example: str = "WP-1-Storage-Foundation"
    spec_files: tuple[str, ...] = ()
    # other name (as field_key gives it) -> the canonical field it stands for
    aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    required_fields: tuple[str, ...] = ()
    # internal field name -> the name the team writes it under (the first
    # other name configured), for messages: "Acceptance criteria is missing"
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # status word (as normalize_status gives it) -> its meaning
    statuses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Rules that are the reference project's own process (phase gate, claims,
    # board, lineage, id naming, ASCII) run only in profiles that say so.
    process_rules: bool = True
    # Rules in force by era (analysis/era.py) read the reference template's
    # dates; a profile without that history applies every rule to every packet.
    eras: bool = True
    # Front matter (YAML between --- lines, TOML between +++) read as fields.
    front_matter: bool = False
    # Where a TEST_PLAN's commands are: "fenced" blocks, "indented" code
    # blocks, a list of "inline-code" items. The reference project's
    # validators run fenced blocks only; its inline-code lists are notes.
    test_plan_forms: tuple[str, ...] = ("fenced",)
    # A bold label alone on its line (``**Definition of done:**``) heads the
    # blocks below it (a list, a code block) up to the next heading or label.
    # The reference's packets write such labels only as prose headings.
    label_bodies: bool = False

    @functools.cached_property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(self.id_pattern)

    def is_id(self, text: str) -> bool:
        return self.id_regex.fullmatch(text) is not None

    def canonical(self, key: str) -> str:
        """The canonical field a name stands for (``ACCEPTANCE_CRITERIA`` ->
        ``DONE_MEANS``); names without an alias are their own."""
        return self.aliases.get(key, key)

    def names_of(self, canonical: str) -> tuple[str, ...]:
        """Every name a canonical field appears under, itself first."""
        key = field_key(canonical)
        return (key, *sorted(a for a, c in self.aliases.items() if c == key))

    def label(self, internal: str) -> str:
        """How a field is named in messages: the team's own name, with the
        canonical one when they differ (``Acceptance criteria (DONE_MEANS)``)."""
        own = self.labels.get(internal)
        return f"{own} ({internal})" if own else internal

    def status_meaning(self, normalized: str) -> str:
        return self.statuses.get(normalized, "unknown")

    def spec_version_of(self, name: str) -> str | None:
        """The version in a spec file's name per ``spec_files`` (None: not a
        spec file of this profile). Only for profiles that configure them.
        A pattern with folders (``v{version}/spec.md``) is matched against
        as many trailing components of the path."""
        parts = name.replace("\\", "/").split("/")
        for pattern in self.spec_files:
            depth = pattern.count("/") + 1
            m = spec_file_regex(pattern).match("/".join(parts[-depth:])) if len(parts) >= depth else None
            if m:
                return m.group("version")
        return None

    @functools.cached_property
    def parse_fingerprint(self) -> str:
        """What of the profile a parse depends on, hashed: part of the parse
        cache key, so a packet parsed with other names is parsed again."""
        doc = {"aliases": sorted(self.aliases.items()), "statuses": sorted(self.statuses.items()),
               "spec_files": list(self.spec_files), "front_matter": self.front_matter, "name": self.name,
               "test_plan_forms": list(self.test_plan_forms)}
        if self.label_bodies:  # only when set: the handshake parse cache keys stay as they were
            doc["label_bodies"] = True
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
