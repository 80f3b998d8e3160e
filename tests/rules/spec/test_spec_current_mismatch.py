"""``spec-current-mismatch``: A compatibility copy of SPEC_CURRENT must name the same version (repo rule).

Cases as a table of files -> expected message fragments
(``[]``: the rule passes); then what a waiver does to the findings.
"""

from __future__ import annotations

import pytest

from rules.harness import (
    GOOD,
    SPEC,
    SPEC_CURRENT,
    assert_findings,
    check_rule,
    with_waiver,
)

RULE = "spec-current-mismatch"
STALE_COPY = {"docs/SPEC_CURRENT.md": SPEC_CURRENT.replace("v02.50", "v02.44"), "Handshake_Master_Spec_v02.44.md": SPEC}


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param({}, [], id="no-copy"),
        pytest.param({"docs/SPEC_CURRENT.md": SPEC_CURRENT}, [], id="copy-agrees"),
        pytest.param(
            STALE_COPY,
            ["docs/SPEC_CURRENT.md names v02.44 but .GOV/roles_shared/SPEC_CURRENT.md names v02.50"],
            id="copy-disagrees",
        ),
    ],
)
def test_spec_current_mismatch(files, expected):
    assert_findings(check_rule(RULE, GOOD, files=files), expected)


def test_waiver_does_not_reach_repo_findings():
    # A repo-level rule has no packet to hold a waiver, and the engine
    # marks waivers on packet findings only: a waiver naming this rule
    # leaves its findings live. Turn the rule off in govcheck.yaml instead.
    found = check_rule(RULE, with_waiver(GOOD, RULE), files=STALE_COPY)
    assert found and all(f.waived_by is None for f in found)
    assert (
        check_rule(RULE, GOOD, files=STALE_COPY, config="rules:\n  spec-current-mismatch:\n    severity: 'off'\n") == []
    )
