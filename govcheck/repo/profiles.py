"""The built-in profiles, and a profile built from a repo's config.

Each built-in profile is written in the shape of the config keys a team
would write (``layout`` / ``fields`` / ``required_fields`` / ``statuses``),
and a repo's config is laid over it key by key, so the reference project's
dialect is one more profile, not a special case in code:

* ``handshake``: the reference project, all of its packet generations
  (Markdown packets, ``PACKET_FORMAT_VERSION`` packets, ``packet.json``
  folders), its process rules, and its template's eras;
* ``generic``: any team's Markdown tasks (front matter read as fields;
  common names for acceptance criteria, test plans and spec pointers), the
  rules that make sense for any spec-driven team, no eras.

Which applies when a config names none: ``handshake`` when the repo has
the reference layout (``.GOV/`` or ``docs/SPEC_CURRENT.md``), else
``generic`` (``detect_profile``).
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from govcheck.model.profile import STATUS_MEANINGS, Profile, field_key, internal_field
from govcheck.parse.vocabulary import normalize_status

HANDSHAKE: Mapping[str, Any] = MappingProxyType({
    "layout": {
        # Discovery of WP-* files and folders (flat WP-*.md, WP-*/packet.md,
        # packet.json, microtasks) lives in repo/repository.py.
        "packet_files": [],
        "id_pattern": r"WP-[A-Za-z0-9][A-Za-z0-9._-]*",
        "id_example": "WP-1-Storage-Foundation",
        "spec_files": [],  # *Master_Spec_v{version}.md and master-spec-v{version}/ bundles
    },
    # The reference's own synonyms are read by the parser's field readers
    # (WP_STATUS, USER_SIGNATURE_LOCKED, ROLLBACK, SPEC_ANCHORS, ...).
    "fields": {},
    "required_fields": ["status", "risk_tier", "test_plan", "rollback_hint", "bootstrap",
                        "user_signature", "spec_version"],
    "statuses": {
        "ready": ["Ready for Dev"],
        "active": ["In Progress"],
        "done": ["Done", "Done (Historical)", "Validated"],
        "blocked": ["Blocked"],
        "stub": ["Stub"],
        "superseded": ["Superseded"],
    },
    "process_rules": True,
    "eras": True,
    "front_matter": False,
    "test_plan_forms": ["fenced"],
    "label_bodies": False,
})

GENERIC: Mapping[str, Any] = MappingProxyType({
    "layout": {
        "packets": ["tasks", "packets", "docs/tasks"],
        "packet_files": ["*.md"],
        "id_pattern": r"[A-Za-z][A-Za-z0-9]*-[0-9][A-Za-z0-9._-]*",
        "id_example": "TASK-001",
        "spec_current": ["spec/CURRENT.md", "spec/SPEC_CURRENT.md", "docs/SPEC_CURRENT.md", "SPEC_CURRENT.md"],
        "spec_dirs": [".", "spec", "specs", "docs/spec", "docs"],
        "spec_files": ["*v{version}.md"],
    },
    "fields": {
        "done_means": ["Acceptance criteria", "Acceptance", "Definition of done", "Done when"],
        "test_plan": ["Test plan", "Tests", "Verification", "How to test", "How we test"],
        "spec_version": ["Spec", "Spec version"],
        "spec_anchors": ["Anchors", "Spec anchors", "Spec sections"],
        "risk_tier": ["Risk"],
    },
    "required_fields": ["status", "done_means", "test_plan", "spec_version"],
    "statuses": {
        "ready": ["Todo", "To do", "Ready", "Open", "Backlog", "Queued", "Planned"],
        "active": ["In Progress", "Doing", "In Review", "Building", "WIP", "Started"],
        "done": ["Done", "Closed", "Complete", "Completed", "Shipped", "Released", "Live", "Merged", "Resolved"],
        "blocked": ["Blocked", "On hold"],
        "stub": ["Draft"],
        "superseded": ["Superseded", "Obsolete", "Cancelled"],
    },
    "process_rules": False,
    "eras": False,
    "front_matter": True,
    "test_plan_forms": ["fenced", "indented", "inline-code"],
    "label_bodies": True,
})

BUILTIN_PROFILES: Mapping[str, Mapping[str, Any]] = MappingProxyType({"handshake": HANDSHAKE, "generic": GENERIC})

def detect_profile(root: Path) -> str:
    """The profile of a repo whose config names none."""
    if (root / ".GOV").is_dir() or (root / "docs" / "SPEC_CURRENT.md").is_file() \
            or (root / "docs" / "task_packets").is_dir():
        return "handshake"
    return "generic"


def build_profile(name: str, doc: Mapping[str, Any] | None = None) -> Profile:
    """The built-in profile ``name`` with a config document's keys laid over
    it: ``fields`` adds names, ``required_fields`` replaces the list,
    ``statuses`` replaces the words of each meaning it names, ``layout``'s
    ``packet_files`` / ``id_pattern`` / ``spec_files`` replace theirs."""
    base = BUILTIN_PROFILES[name]
    doc = doc or {}
    layout = {**base["layout"], **{k: v for k, v in (doc.get("layout") or {}).items()
                                   if k in ("packet_files", "id_pattern", "spec_files")}}
    aliases: dict[str, str] = {}
    labels: dict[str, str] = {}
    for fields in (base["fields"], doc.get("fields") or {}):
        for canonical, names in fields.items():
            target = internal_field(str(canonical))
            for k, other in enumerate(names or ()):
                key = field_key(str(other))
                if key and key != target:
                    aliases[key] = target
                if k == 0:
                    labels[target] = str(other)
    statuses_by_meaning = {m: list(base["statuses"].get(m, ())) for m in STATUS_MEANINGS}
    for meaning, words in (doc.get("statuses") or {}).items():
        statuses_by_meaning[str(meaning)] = [str(w) for w in words or ()]
    statuses = {normalize_status(w): meaning for meaning in STATUS_MEANINGS
                for w in statuses_by_meaning.get(meaning, ()) if normalize_status(w)}
    required = doc.get("required_fields")
    id_pattern = str(layout["id_pattern"])
    configured_id = "id_pattern" in (doc.get("layout") or {})
    return Profile(
        name=name,
        packet_files=tuple(str(p) for p in layout["packet_files"]),
        id_pattern=id_pattern,
        id_example=str(layout.get("id_example", "")) if not configured_id else "",
        spec_files=tuple(str(p) for p in layout["spec_files"]),
        aliases=MappingProxyType(aliases),
        labels=MappingProxyType(labels),
        required_fields=tuple(str(f) for f in (required if required is not None else base["required_fields"])),
        statuses=MappingProxyType(statuses),
        process_rules=bool(base["process_rules"]),
        eras=bool(base["eras"]),
        front_matter=bool(base["front_matter"]),
        test_plan_forms=tuple(base["test_plan_forms"]),
        label_bodies=bool(base["label_bodies"]),
    )


def default_layout(name: str) -> Mapping[str, Any]:
    """The profile's default locations (packets, spec_current, spec_dirs);
    empty for handshake, whose defaults are the repository's own."""
    layout = BUILTIN_PROFILES[name]["layout"]
    return {k: layout[k] for k in ("packets", "spec_current", "spec_dirs") if k in layout}
