"""Anchors that resolve to numbered list items, and numbers reused for
different content (spec-anchor-moved)."""

from __future__ import annotations

from conftest import GOOD_GEN2, findings, validate_json, write_packet

from govcheck.parse.spec import build_index

SPEC = b"""# 7. Roadmap

## 7.6 Phases

### 7.6.3 Phase 1

**MUST deliver**

1. **Model runtime**
2. **Job model**

#### 11.7.5 A stray heading dropped into the list

3. **Flight recorder**

### 7.6.4 Phase 2

#### 2.3.11.3 Foreign heading

1. **Not an item of 7.6.4**

# 2. Platform

## 2.3 Persistence

### 2.3.12 Taste Engine

Taste vectors.

### 2.3.13 Storage Backend Portability [CX-DBP-001]

#### 2.3.13.3 Storage API [CX-DBP-040]

Trait only.
"""


def test_list_item_resolution():
    ix = build_index(SPEC)
    assert ix.list_item(SPEC, "7.6.3.2")[1] == "**Job model**"
    assert ix.list_item(SPEC, "7.6.3.3")[1] == "**Flight recorder**"  # the list continues past a stray heading
    assert ix.list_item(SPEC, "7.6.3.4") is None
    assert ix.list_item(SPEC, "7.6.4.1") is None  # a list under a foreign heading is not 7.6.4's
    assert ix.list_item(SPEC, "7.6.3") is None  # a heading, not an item


def _repo_with_spec(storage_repo):
    (storage_repo / "Handshake_Master_Spec_v02.93.md").write_bytes(SPEC)
    (storage_repo / ".GOV/operator/Handshake_Master_Spec_v02.90.md").unlink()
    return storage_repo


def _packet(repo, anchor: str):
    write_packet(repo, "WP-1-Job-Queue-v2", GOOD_GEN2.replace("4.2 (Job queue)", anchor))
    _, report = validate_json(repo, "WP-1-Job-Queue-v2")
    return findings(report)


def test_list_item_anchor_is_not_missing(storage_repo):
    got = _packet(_repo_with_spec(storage_repo), "7.6.3.3")
    assert not [f for f in got if f["rule"] == "spec-anchor-missing"]


def test_missing_anchor_names_where_its_tag_went(storage_repo):
    got = _packet(_repo_with_spec(storage_repo), "2.3.12.3 [CX-DBP-040]")
    missing = [f for f in got if f["rule"] == "spec-anchor-missing"]
    assert missing and missing[0]["data"]["tag_now_at"] == ["2.3.13.3"]
    assert "its tag now heads 2.3.13.3" in missing[0]["message"]


def test_reused_number_by_title(storage_repo):
    got = _packet(_repo_with_spec(storage_repo), "2.3.12 (storage portability)")
    moved = [f for f in got if f["rule"] == "spec-anchor-moved"]
    assert moved and moved[0]["severity"] == "warning"
    assert moved[0]["data"]["title"] == "Taste Engine"


def test_matching_title_and_tag_pass(storage_repo):
    repo = _repo_with_spec(storage_repo)
    assert not [f for f in _packet(repo, "2.3.12 (Taste engine)") if f["rule"] == "spec-anchor-moved"]
    assert not [f for f in _packet(repo, "2.3.13.3 [CX-DBP-040]") if f["rule"].startswith("spec-anchor")]


def test_reused_number_by_tag(storage_repo):
    got = _packet(_repo_with_spec(storage_repo), "2.3.12 [CX-DBP-001]")
    moved = [f for f in got if f["rule"] == "spec-anchor-moved"]
    assert moved and moved[0]["data"]["tag_now_at"] == ["2.3.13"]
