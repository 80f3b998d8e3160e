"""Reference pages generated from the code stay in step with it."""

from __future__ import annotations

import pytest
from conftest import ROOT

from govcheck.commands.docs import BEGIN, END, configuration_reference, with_reference


def test_configuration_page_matches_the_schema():
    page = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    assert with_reference(page, configuration_reference()) == page, "run: python -m govcheck.commands.docs"


def test_reference_lists_every_top_level_key_and_a_change_shows():
    from govcheck.util.schemas import load_schema

    schema = load_schema("config")
    table = configuration_reference(schema)
    for key in schema["properties"]:
        assert f"| `{key}` |" in table
    changed = dict(schema, properties={**schema["properties"], "new_key": {"type": "boolean", "description": "x"}})
    assert "| `new_key` | boolean | x |" in configuration_reference(changed)


def test_a_page_without_markers_is_refused():
    with pytest.raises(ValueError):
        with_reference("# no markers\n", "table")
    assert with_reference(f"a\n{BEGIN}\nold\n{END}\nb\n", "new\n") == f"a\n{BEGIN}\nnew\n{END}\nb\n"


def test_architecture_tree_lists_every_package_and_nothing_else():
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    tree = text.split("## The package tree", 1)[1].split("```", 2)[1]
    listed = {line.split()[0].rstrip("/") for line in tree.splitlines()[2:] if line.strip()}
    listed |= {line.split()[1] for line in tree.splitlines()[2:] if line.strip() and line.split()[1].endswith(".py")}
    packages = {p.parent.name for p in (ROOT / "govcheck").glob("*/__init__.py")}
    modules = {p.name for p in (ROOT / "govcheck").glob("*.py") if p.name != "__init__.py"}
    assert packages | modules == listed
