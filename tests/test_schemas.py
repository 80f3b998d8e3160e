"""The committed schemas describe the code exactly."""

from __future__ import annotations

import json

from conftest import ROOT
from schema_gen import packet_schema


def test_packet_schema_matches_model():
    committed = json.loads((ROOT / "schemas/packet.schema.json").read_text(encoding="utf-8"))
    assert committed == packet_schema(), "run: python tests/schema_gen.py > schemas/packet.schema.json"


def test_schemas_are_valid_json_schema():
    import jsonschema

    for path in (ROOT / "schemas").glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
