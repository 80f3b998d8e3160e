"""``spec-anchor-missing``: Anchored section numbers must exist in the current spec.

Cases as a table of packet_text -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest
from conftest import findings, validate_json

from rules.harness import (
    GOOD,
    WP,
    assert_findings,
    assert_waived,
    check_rule,
    rule_ids,
    variant,
    with_waiver,
)

RULE = "spec-anchor-missing"


@pytest.mark.parametrize(
    "packet_text, expected",
    [
        pytest.param(GOOD, [], id="good-packet-passes"),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 9.9"),
            ["anchored section 9.9 (from 9.9) does not exist"],
            id="unknown-section",
        ),
        pytest.param(
            GOOD.replace("3.1 (Lease timers)", "7.1"), ["anchored section 7.1"], id="fenced-heading-is-no-section"
        ),
    ],
)
def test_spec_anchor_missing(packet_text, expected):
    assert_findings(check_rule(RULE, packet_text), expected)


def test_waiver_marks_every_finding():
    broken = GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 9.9")
    assert check_rule(RULE, broken)
    assert_waived(check_rule(RULE, with_waiver(broken, RULE)))


# -- from test_rules_core.py: cases on the storage-foundation fixture ---------------------


def test_spec_anchor_missing_on_the_storage_fixture(storage_repo):
    variant(storage_repo, "v02.93.md 4.2 (Job queue)", "v02.93.md 4.2 (Job queue) and 7.7.7 (Nowhere)")
    _, report = validate_json(storage_repo, WP)
    missing = findings(report, rule="spec-anchor-missing")
    assert [s for f in missing for s in f["data"]["sections"]] == ["7.7.7"]


def test_anchor_inside_code_fence_of_spec_is_not_a_section(storage_repo):
    variant(storage_repo, "v02.93.md 4.2 (Job queue)", "v02.93.md 9.9")
    assert "spec-anchor-missing" in rule_ids(storage_repo)
    _, report = validate_json(storage_repo, WP)
    [missing] = findings(report, rule="spec-anchor-missing")
    assert "the spec writes 9.9 as a heading inside fenced code" in missing["message"]


def test_mojibake_anchor_still_recognised(storage_repo):
    # ``Â§`` is a section sign read as Windows-1252 and saved again.
    p = storage_repo / ".GOV/task_packets/WP-1-Storage-Foundation.md"
    p.write_text(p.read_text(encoding="utf-8").replace("(§2.3.12", "(\u00c2\u00a72.3.12").replace("§11.7.4", "\u00c2\u00a77.7.7"), encoding="utf-8")
    _, report = validate_json(storage_repo, "WP-1-Storage-Foundation")
    missing = findings(report, rule="spec-anchor-missing")
    assert [s for f in missing for s in f["data"]["sections"]] == ["7.7.7"]


# -- a packet on an older spec: did the anchor exist in its own version? ----------

OLD_SPEC = """# Test Master Specification v02.40

# 3. Work

## 3.1 Lease timers

A lease ends when its timer runs out.

## 3.9 Queue depth

At most a hundred jobs wait in line.
"""
STALE = GOOD.replace("v02.50", "v02.40").replace("3.1 (Lease timers)", "3.1 (Lease timers) and {anchor}")


@pytest.mark.parametrize(
    "anchor, old_spec, in_packet_version, fragment",
    [
        pytest.param("3.9", OLD_SPEC, True, "it existed in v02.40 (the packet's version): it moved or vanished",
                     id="gone-with-the-spec"),
        pytest.param("3.8", OLD_SPEC, False, "it did not exist in v02.40 (the packet's version) either",
                     id="never-there"),
        pytest.param("3.9", None, None, "whether it existed in v02.40 (the packet's version) is unknown",
                     id="old-text-unavailable"),
    ],
)
def test_anchor_is_looked_up_in_the_packets_own_version(anchor, old_spec, in_packet_version, fragment):
    files = {"Handshake_Master_Spec_v02.40.md": old_spec} if old_spec else {}
    found = check_rule(RULE, STALE.format(anchor=anchor), files=files)
    assert len(found) == 1 and fragment in found[0].message, [f.message for f in found]
    assert found[0].data["in_packet_version"] is in_packet_version
    assert found[0].data["packet_version"] == "02.40"


def test_packet_on_the_current_version_is_not_looked_up_elsewhere():
    found = check_rule(RULE, GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 9.9"))
    assert found[0].data["packet_version"] is None and found[0].data["in_packet_version"] is None


def test_a_part_numbered_only_through_its_subsections_exists():
    spec = "# 3. Work\n\n## 3.1 Lease timers\n\nText.\n\n### 3.7.1 Backoff\n\nText.\n\n### 3.7.2 Jitter\n\nText.\n"
    files = {"Handshake_Master_Spec_v02.50.md": spec}
    assert check_rule(RULE, GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 3.7"), files=files) == []
    found = check_rule(RULE, GOOD.replace("3.1 (Lease timers)", "3.1 (Lease timers) and 3.8"), files=files)
    assert [f.data["sections"] for f in found] == [["3.8"]]


def test_heading_in_code_is_said_only_for_headings_the_spec_writes() -> None:
    from govcheck.analysis.spec_anchors import heading_in_code

    data = b"# 1. Top\n```\n## 7.1 Embedded\n```\nsee 9.9 in prose\n### 7.10 Other\n"
    assert heading_in_code(data, "7.1")
    assert not heading_in_code(data, "9.9")  # named in prose only
    assert not heading_in_code(data, "7.1.2") and heading_in_code(data, "7.10")


def test_heading_in_code_answers_as_the_whole_text_pattern() -> None:
    # The literal search then a match from the line's start gives what the
    # MULTILINE pattern searched over the whole text gave.
    import random
    import re

    from govcheck.analysis.spec_anchors import heading_in_code

    pieces = [b"## 7.1 A", b"   ### 7.1", b"    ## 7.1 indented code", b"#### \xc2\xa77.1 sign", b"see 7.1 ## 7.1",
              b"## 7.10", b"## 7.1.2", b"##7.1 no space", b"####### 7.1", b"text 7.1", b"## 17.1 x", b"```",
              b"## 2 7.1", b"\t## 7.1", b"## 7.1\r", b""]
    rng = random.Random(7)
    for _ in range(3000):
        data = b"\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for sid in ("7.1", "7.10", "1", "7.1.2", "\u00a77.1"):
            number = sid.encode("ascii", "ignore")
            old = re.compile(rb"(?m)^ {0,3}#{1,6}[ \t]+(?:\xc2\xa7)?" + re.escape(number) + rb"(?![0-9]|\.[0-9])")
            assert heading_in_code(data, sid) == (old.search(data) is not None), (data, sid)


def test_a_fence_a_bundle_module_leaves_open_ends_with_the_module(tmp_path) -> None:
    """Modules are files a reader renders one by one: a fence left open at
    the end of one must not swallow the next module's sections."""
    from govcheck.parse.spec import fence_open_at_end, index_spec
    from govcheck.repo.repository import Repo

    modules = tmp_path / "spec" / "master-spec-v02.60" / "spec-modules"
    modules.mkdir(parents=True)
    (modules / "01-a.md").write_text("# 1. A\n\n## 1.1 First\n\n````md\n# template, never closed\n")
    (modules / "02-b.md").write_text("# 2. B\n\n## 2.1 Second\n\n```\ncode\n```\n\n## 2.2 Third\n")
    assert fence_open_at_end((modules / "01-a.md").read_bytes()) == b"````"
    assert fence_open_at_end((modules / "02-b.md").read_bytes()) is None
    joined = Repo(tmp_path).bundle_text_bytes("spec/master-spec-v02.60")
    assert joined is not None
    index = index_spec(joined)
    assert index.lookup("2.1") is not None and index.lookup("2.2") is not None
    # Joined as written, the open fence would have swallowed module 02:
    raw = b"\n".join(p.read_bytes() for p in sorted(modules.glob("*.md")))
    assert index_spec(raw).lookup("2.1") is None
