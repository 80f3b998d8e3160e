"""Reference pages generated from the code, so they cannot drift from it.

``docs/configuration.md`` carries a reference of every ``govcheck.yaml``
key, generated from schemas/config.schema.json between two marker lines;
tests/test_docs.py fails when the page and the schema disagree. Rewrite it
with ``python -m govcheck.commands.docs``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator, Mapping

from govcheck.util.schemas import load_schema

BEGIN = "<!-- BEGIN generated from schemas/config.schema.json: python -m govcheck.commands.docs -->"
END = "<!-- END generated -->"


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**defs[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    node = _resolve(node, defs)
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        items = _resolve(node.get("items", {}), defs)
        return f"list of {_type(items, defs)}" if items else "list"
    return kind or ("object" if "properties" in node else "any")


def _rows(node: Mapping[str, Any], defs: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str, str]]:
    node = _resolve(node, defs)
    for key, child in node.get("properties", {}).items():
        child = _resolve(child, defs)
        path = f"{prefix}{key}"
        desc = " ".join(str(child.get("description", "")).split())
        yield path, _type(child, defs), desc
        if child.get("type") == "object" or "properties" in child:
            yield from _rows(child, defs, path + ".")
        items = _resolve(child.get("items", {}), defs) if child.get("type") == "array" else {}
        if items.get("properties"):
            yield from _rows(items, defs, path + "[].")


def configuration_reference(schema: Mapping[str, Any] | None = None) -> str:
    """The key reference of govcheck.yaml as a Markdown table."""
    schema = schema or load_schema("config")
    defs = schema.get("$defs", {})
    lines = ["| key | type | meaning |", "|---|---|---|"]
    for path, kind, desc in _rows(schema, defs):
        cell = desc.replace("|", "\\|")
        lines.append(f"| `{path}` | {kind} | {cell} |")
    return "\n".join(lines) + "\n"


def with_reference(page: str, reference: str) -> str:
    """``page`` with the text between the markers replaced by ``reference``."""
    head, sep, rest = page.partition(BEGIN)
    if not sep or END not in rest:
        raise ValueError("the page lacks the generated-section markers")
    return f"{head}{BEGIN}\n{reference}{END}{rest.split(END, 1)[1]}"


def main() -> int:
    page = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    page.write_text(with_reference(page.read_text(encoding="utf-8"), configuration_reference()), encoding="utf-8")
    print(f"wrote {page}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
