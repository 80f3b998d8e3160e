"""Derive the JSON Schema of a frozen dataclass model.

Used to write ``schemas/packet.schema.json`` and, in tests, to prove the
committed schema still describes the model exactly (a field added to the
model without a schema change fails the suite).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Mapping


def _resolve(tp: Any) -> Any:
    """A forward reference left inside a generic (Python 3.10 does not
    evaluate ``tuple["ListItem", ...]`` in get_type_hints): the model class."""
    if isinstance(tp, typing.ForwardRef):
        tp = tp.__forward_arg__
    if isinstance(tp, str):
        import govcheck.model as model

        return getattr(model, tp)
    return tp


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    tp = _resolve(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        inner = _schema_for(non_none[0], defs) if len(non_none) == 1 else {"anyOf": [_schema_for(a, defs) for a in non_none]}
        if type(None) in args:
            return {"anyOf": [inner, {"type": "null"}]}
        return inner
    if origin is tuple:
        return {"type": "array", "items": _schema_for(args[0], defs)}
    if origin in (Mapping, dict, typing.Mapping) or tp in (dict,):
        return {"type": "object"}
    if tp is str:
        return {"type": "string"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is bool:
        return {"type": "boolean"}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(tp)
            props = {f.name: _refine(f.name, _schema_for(hints[f.name], defs)) for f in dataclasses.fields(tp)}
            defs[name] = {
                "type": "object",
                "properties": props,
                "required": sorted(props),
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no schema mapping for {tp!r}")


# Constraints the type hints cannot express.
_LINE_FIELDS = {"line", "end_line", "verdict_line", "title_line", "skeleton_approved_line"}
_FIELD_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "generation": {"enum": ["gen1", "gen1-headings", "gen2", "gen3"]},
    "form": {"enum": ["markdown", "contract+projection", "contract", "microtasks"]},
    "sha256": {"pattern": "^([0-9a-f]{64})?$"},
    "newline": {"enum": ["\n", "\r\n", "mixed"]},
    "verdict": {"enum": ["PASS", "FAIL", "OUTDATED_ONLY"]},
    "prior_sha256": {"pattern": "^[0-9a-f]{64}$"},
}


def _refine(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    extra = {"minimum": 1} if name in _LINE_FIELDS else _FIELD_CONSTRAINTS.get(name)
    if not extra:
        return schema
    if "anyOf" in schema:
        return {"anyOf": [{**schema["anyOf"][0], **extra}, schema["anyOf"][1]]}
    return {**schema, **extra}


def dataclass_schema(root: type, schema_id: str, title: str, description: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    ref = _schema_for(root, defs)
    name = ref["$ref"].rsplit("/", 1)[-1]
    top = dict(defs.pop(name))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        "description": description,
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def packet_schema() -> dict[str, Any]:
    from govcheck.model import Packet

    return dataclass_schema(
        Packet,
        "https://govcheck.dev/schemas/packet.schema.json",
        "govcheck parsed task packet",
        "The frozen Packet model govcheck parses every task packet generation into. "
        "Every value lifted from the document keeps its 1-based source line.",
    )


if __name__ == "__main__":
    import json
    import sys

    json.dump(packet_schema(), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
