"""Generation 3 packets: a folder with ``packet.json`` (the authority,
``"schema_id": "hsk.work_packet_contract@1"``) and a generated ``packet.md``.

The Markdown projection is parsed like any packet; the JSON contract then
fills what the projection does not state (status, risk tier, signature,
acceptance criteria, spec anchors, allowed paths). Where both state a value
the JSON wins, because the projection is generated from it; lines then point
at the projection's line for that value when it has one, else line 1.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from govcheck.model import DecodeIssue, DoneMeans, Field, ListItem, Packet, SectionAnchor, SpecRef
from govcheck.parse.versions import normalize_version

_SECTION_RE = re.compile(r"\d{1,3}(?:\.\d{1,4})+")


def _get(doc: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _strings(value: Any) -> list[str]:
    """A JSON value as a list of strings: a string, a list of strings, or a
    list of objects with a text-like key."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, dict):
                for key in ("text", "criterion", "summary", "id", "section", "path", "anchor"):
                    if isinstance(v.get(key), str):
                        out.append(v[key])
                        break
    return out


def merge_packet_json(packet: Packet, data: bytes) -> Packet:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        if not isinstance(doc, dict):
            raise ValueError("top level is not an object")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: the stdlib decoder recurses once per [ or {.
        why = "nested too deeply" if isinstance(exc, RecursionError) else exc
        issue = DecodeIssue("packet-json-invalid", 1, f"packet.json is not valid JSON: {why}")
        return dataclasses.replace(packet, parse_issues=packet.parse_issues + (issue,))

    def field_from(name: str, value: Any, current: Field | None) -> Field | None:
        if not isinstance(value, (str, int, float)) or value == "":
            return current
        line = current.line if current else 1
        return Field(name, str(value), line)

    status = field_from("STATUS", _get(doc, "lifecycle", "status"), packet.status)
    risk = field_from("RISK_TIER", _get(doc, "lifecycle", "risk_tier"), packet.risk_tier)
    signature = field_from("USER_SIGNATURE", _get(doc, "lifecycle", "user_signature"), packet.user_signature)

    done_means = packet.done_means
    criteria = _strings(_get(doc, "scope", "acceptance_criteria"))
    if criteria and (done_means is None or not done_means.items):
        line = done_means.line if done_means else 1
        done_means = DoneMeans(line, tuple(ListItem(c, line) for c in criteria))

    # The contract's anchors are the authority; the projection's line is
    # kept where it states the same section, so findings point at Markdown.
    anchors = packet.anchors
    json_sections = [
        m.group(0) for text in _strings(_get(doc, "scope", "spec_anchors")) for m in _SECTION_RE.finditer(text)
    ]
    if json_sections:
        md_lines = {a.section: a.line for a in packet.anchors}
        anchors = tuple(
            SectionAnchor(sec, md_lines.get(sec, 1), None, None, "packet.json")
            for sec in dict.fromkeys(json_sections)
        )

    scope = packet.scope
    allowed = _strings(_get(doc, "scope", "allowed_paths"))
    if allowed and not scope.in_scope_paths:
        scope = dataclasses.replace(scope, in_scope_paths=tuple(ListItem(p, 1) for p in allowed))

    refs = list(packet.spec_refs)
    for key in ("spec_baseline", "spec_version", "spec_target_version"):
        value = _get(doc, "spec", key) or doc.get(key)
        if isinstance(value, str):
            m = re.search(r"v?(\d{2}\.\d{2,4})", value)
            if m:
                refs.append(SpecRef("json", normalize_version(m.group(1)), f"packet.json {key}: {value}", 1))

    return dataclasses.replace(
        packet,
        generation="gen3",
        status=status,
        risk_tier=risk,
        user_signature=signature,
        done_means=done_means,
        anchors=anchors,
        scope=scope,
        spec_refs=tuple(refs),
    )
