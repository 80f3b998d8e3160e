"""Fuzz targets: every input a pull request controls, mutated, must still
get an answer (see fuzzkit for the property and the knobs).

Quick by default (the README's test command runs them with a dozen
examples each); docs/security.md, "Hostile input and fuzzing", gives the
long run.
"""

from __future__ import annotations

import json
import random

import pytest
import yaml
from conftest import STORAGE
from fuzzkit import (
    FuzzRepo,
    budget,
    check_answer,
    deep_json,
    encoded,
    json_values,
    mutated_lines,
    seeded,
    snippet,
    write_stats,
)
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

PACKETS = ".GOV/task_packets"
SPEC_CURRENT = ".GOV/roles_shared/SPEC_CURRENT.md"
GOOD = (STORAGE / PACKETS / "WP-1-Job-Queue-v2.md").read_text(encoding="utf-8")
FAILING = (STORAGE / PACKETS / "WP-1-Storage-Foundation.md").read_text(encoding="utf-8")
POINTER_MD = (STORAGE / SPEC_CURRENT).read_text(encoding="utf-8")
POINTER_JSON = json.dumps({"current_spec": {"version": "02.93", "entrypoint_path": "Handshake_Master_Spec_v02.93.md"}},
                          indent=2)
CONFIG = """\
run:
  timeout: 30
  allow: ['^python3 ']
rules:
  spec-stale:
    severity: warning
policy:
  risk:
    HIGH:
      warnings_fail: true
waivers:
  - id: W-1
    date: 2026-01-02
    justification: fuzz
    rules: [spec-stale]
    packets: [WP-1-Storage-Foundation]
baseline: .govcheck-baseline.json
ci:
  allow_config_changes: false
"""


@pytest.fixture
def repo():
    r = FuzzRepo()
    yield r
    r.close()


@pytest.fixture(scope="module", autouse=True)
def _stats():
    yield
    write_stats()


_packet_budget = budget("packet-markdown")


@seeded
@given(data=st.data(), which=st.sampled_from(["WP-1-Job-Queue-v2", "WP-1-Storage-Foundation"]))
def test_fuzz_packet_markdown(repo: FuzzRepo, data, which: str) -> None:
    original = GOOD if which == "WP-1-Job-Queue-v2" else FAILING
    body = data.draw(encoded(data.draw(mutated_lines(original))))
    _packet_budget.run(repo, {f"{PACKETS}/{which}.md": body}, which, setup_may_fail=False)


# A team's own dialect (profile generic) in the same fixture: front matter,
# other field names, a pointer read from the fixture's SPEC_CURRENT.
GENERIC_CONFIG = """\
profile: generic
layout:
  packets: [tasks]
  packet_files: ["TASK-*.md"]
  id_pattern: 'TASK-[0-9]+'
  spec_current: [.GOV/roles_shared/SPEC_CURRENT.md]
  spec_dirs: ["."]
  spec_files: ["Handshake_Master_Spec_v{version}.md"]
"""
GENERIC_TASK = """\
---
id: TASK-1
status: Done
spec: v02.90
anchors: ["4.2", "2.10"]
tags:
  - jobs
---
# Job queue acknowledgements

## Acceptance criteria
- An acknowledged job is removed from the queue.
- Given <context>, When <action>, Then <outcome>

## Test plan
- `python3 -m pytest -q tests/test_queue.py`

    python3 -c 'print(1)'
"""
_generic_budget = budget("packet-generic")


@seeded
@given(data=st.data(), front=st.sampled_from(["---", "+++"]))
def test_fuzz_packet_generic_profile(repo: FuzzRepo, data, front: str) -> None:
    """The generic profile's readers (front matter YAML/TOML, aliases, the
    TEST_PLAN forms, keyed pointers) on mutated text."""
    template = GENERIC_TASK if front == "---" else GENERIC_TASK.replace("---\n", "+++\n").replace(": ", " = ", 5)
    body = data.draw(encoded(data.draw(mutated_lines(template))))
    _generic_budget.run(repo, {"govcheck.yaml": GENERIC_CONFIG.encode(), "tasks/TASK-1.md": body},
                        setup_may_fail=False)


def _json_body(data, form: str, template: str, deep_prefix: str, deep_suffix: str) -> bytes:
    """A JSON file's bytes in one of four forms: any JSON value, the
    template mutated line by line, nesting thousands deep, or raw bytes."""
    if form == "values":
        return json.dumps(data.draw(json_values)).encode()
    if form == "mutated":
        return data.draw(encoded(data.draw(mutated_lines(template))))
    if form == "deep":
        nested = deep_json(data.draw(st.integers(500, 50_000)), data.draw(st.sampled_from(["[", "{"])))
        return (deep_prefix + nested + deep_suffix).encode()
    return data.draw(st.binary(max_size=400))


_json_budget = budget("packet-json")
_PACKET_JSON = json.dumps({"wp_id": "WP-1-Folder", "status": "Ready for Dev", "risk_tier": "LOW",
                           "spec": {"anchor": "Handshake_Master_Spec_v02.93.md 4.2"},
                           "in_scope_paths": ["src/jobs/"], "done_means": ["x"]}, indent=2)


@seeded
@given(data=st.data(), form=st.sampled_from(["values", "mutated", "deep", "bytes"]))
def test_fuzz_packet_json(repo: FuzzRepo, data, form: str) -> None:
    body = _json_body(data, form, _PACKET_JSON, "", "")
    files = {f"{PACKETS}/WP-1-Folder/packet.md": GOOD.replace("WP-1-Job-Queue-v2", "WP-1-Folder").encode(),
             f"{PACKETS}/WP-1-Folder/packet.json": body}
    _json_budget.run(repo, files, "WP-1-Folder", setup_may_fail=False)


_pointer_budget = budget("spec-current")


@seeded
@given(data=st.data(), form=st.sampled_from(["markdown", "json", "json-fenced", "deep"]))
def test_fuzz_spec_current(repo: FuzzRepo, data, form: str) -> None:
    if form == "markdown":
        text = data.draw(mutated_lines(POINTER_MD))
    elif form == "json":
        text = data.draw(mutated_lines(POINTER_JSON))
    elif form == "json-fenced":
        text = "# SPEC_CURRENT\n\n```json\n" + data.draw(mutated_lines(POINTER_JSON)) + "\n```\n"
    else:
        text = '{"current_spec": ' + deep_json(data.draw(st.integers(500, 50_000))) + "}"
    body = data.draw(encoded(text))
    _pointer_budget.run(repo, {SPEC_CURRENT: body}, setup_may_fail=True)


_config_budget = budget("config")
_config_keys = st.sampled_from(["run", "rules", "policy", "waivers", "baseline", "layout", "ci", "timeout", "allow",
                                "severity", "spec-stale", "packets", "exclude", "allow_config_changes", "<<"])
config_docs = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | snippet,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_config_keys, children, max_size=5),
    max_leaves=25,
)


@seeded
@given(data=st.data(), form=st.sampled_from(["doc", "mutated", "generic", "deep", "anchors", "pyproject"]))
def test_fuzz_config(repo: FuzzRepo, data, form: str) -> None:
    name = "govcheck.yaml"
    if form == "doc":
        body = yaml.safe_dump(data.draw(config_docs), allow_unicode=True).encode()
    elif form == "mutated":
        body = data.draw(encoded(data.draw(mutated_lines(CONFIG))))
    elif form == "generic":  # the profile keys: globs, id pattern, {version} names, fields, statuses
        extra = "fields:\n  done_means: [Acceptance criteria]\nrequired_fields: [status, owner]\n" \
                "statuses:\n  done: [Shipped]\n"
        body = data.draw(encoded(data.draw(mutated_lines(GENERIC_CONFIG + extra))))
    elif form == "deep":
        depth = data.draw(st.integers(200, 30_000))
        body = data.draw(st.sampled_from(["rules: " + deep_json(depth) + "\n",
                                          "".join("  " * i + "a:\n" for i in range(min(depth, 3000)))])).encode()
    elif form == "anchors":  # a billion laughs, kept small enough to build
        body = ("a: &a [x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}]\n"
                                                   for p, c in zip("abcdefgh", "bcdefghi")) + "rules: *i\n").encode()
    else:
        name = "pyproject.toml"
        inner = data.draw(st.sampled_from(["rules = " + deep_json(data.draw(st.integers(100, 20_000))),
                                           data.draw(mutated_lines('[tool.govcheck.run]\ntimeout = 30\n'))]))
        body = data.draw(encoded("[tool.govcheck]\n" + inner + "\n"))
    _config_budget.run(repo, {name: body}, setup_may_fail=True)


_baseline_budget = budget("baseline")
_BASELINE = json.dumps({"schema": "govcheck.baseline@1", "tool_version": "0.1.0", "findings": [
    {"fingerprint": "0" * 32, "rule": "spec-stale", "packet": "WP-1-Storage-Foundation",
     "path": ".GOV/task_packets/WP-1-Storage-Foundation.md", "message": "x"}]}, indent=2)


@seeded
@given(data=st.data(), form=st.sampled_from(["values", "mutated", "deep", "bytes"]))
def test_fuzz_baseline(repo: FuzzRepo, data, form: str) -> None:
    body = _json_body(data, form, _BASELINE, '{"schema": "govcheck.baseline@1", "findings": ', "}")
    _baseline_budget.run(repo, {".govcheck-baseline.json": body}, setup_may_fail=True)


_cache_budget = budget("caches")


@seeded
@given(seed=st.integers(0, 2**32 - 1), how=st.sampled_from(["truncate", "random", "empty", "swap"]))
def test_fuzz_caches(repo: FuzzRepo, seed: int, how: str) -> None:
    """Cache files damaged between two runs: the second run still answers.
    A flipped bit inside a string is not among the damages: cache entries
    carry no checksum yet, so it is read back as data (see
    test_gate_hostile_input.test_cache_entry_with_a_flipped_byte_is_not_trusted)."""
    if _cache_budget.spent():
        return
    check_answer(*repo.validate(cache=True), setup_may_fail=False)  # fills the caches
    rng = random.Random(seed)
    files = sorted(p for p in repo.state.rglob("*") if p.is_file())
    assert files, "the first run wrote no cache file"
    for path in rng.sample(files, k=max(1, len(files) // 2)):
        data = path.read_bytes()
        if how == "truncate":
            data = data[: rng.randrange(len(data) + 1)]
        elif how == "random":
            data = rng.randbytes(rng.randint(0, 512))
        elif how == "empty":
            data = b""
        else:
            other = rng.choice(files)
            data = other.read_bytes()
        path.write_bytes(data)
    try:
        _cache_budget.check(lambda: repo.validate(cache=True), setup_may_fail=False)
    finally:
        repo.reset()
