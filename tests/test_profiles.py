"""Profiles: the packet and spec model as data (issue 15).

A tiny repo in a team's own dialect is written per test: spec files named
``ledger-spec-v{version}.md``, a pointer, tasks with front matter or other
headings. Each test has the passing shape and the failing one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, run_cli, validate_json

from govcheck.engine.loader import load_packet, open_repo
from govcheck.parse.front_matter import read_front_matter
from govcheck.repo.profiles import build_profile, detect_profile

SPEC_OLD = """# Ledger spec v1.2

## 1. Accounts
An account has an owner.

## 2. Postings
### 2.1 Balanced postings
Every posting balances to zero.
### 2.2 Currency
Postings carry one currency.
"""
SPEC_NEW = SPEC_OLD.replace("v1.2", "v1.3").replace("balances to zero", "balances to zero within one minute")

TASK_OK = """---
status: In Progress
spec: v1.3
anchors: ["2.2"]
---
# Currency on postings

## Acceptance criteria
- A posting with two currencies is refused with an error naming both.

## Test plan
```
pytest -q tests/test_currency.py
```
"""

CONFIG = """profile: generic
layout:
  packets: [tasks]
  packet_files: ["LED-*.md"]
  id_pattern: 'LED-[0-9]+'
  spec_current: [spec/CURRENT.md]
  spec_dirs: [spec]
  spec_files: ["ledger-spec-v{version}.md"]
"""


def make_repo(root: Path, tasks: dict[str, str], config: str | None = CONFIG, pointer: str | None = "current: v1.3\n",
              extra: dict[str, str] | None = None) -> Path:
    (root / "spec").mkdir(parents=True, exist_ok=True)
    (root / "tasks").mkdir(exist_ok=True)
    (root / "spec" / "ledger-spec-v1.2.md").write_text(SPEC_OLD)
    (root / "spec" / "ledger-spec-v1.3.md").write_text(SPEC_NEW)
    if pointer is not None:
        (root / "spec" / "CURRENT.md").write_text(pointer)
    if config is not None:
        (root / "govcheck.yaml").write_text(config)
    for name, text in tasks.items():
        (root / "tasks" / name).write_text(text)
    for name, text in (extra or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


def rules_of(report: dict, wp_id: str) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["severity"]) for f in findings(report, wp_id) if not f.get("waived"))


# -- built-in profiles and config overrides --------------------------------------


def test_generic_profile_defaults_and_config_overrides() -> None:
    generic = build_profile("generic")
    assert generic.canonical("ACCEPTANCE_CRITERIA") == "DONE_MEANS"
    assert generic.status_meaning("in progress") == "active"
    assert not generic.process_rules and not generic.eras and generic.front_matter
    custom = build_profile("generic", {"fields": {"done_means": ["Exit criteria"]}, "statuses": {"done": ["Shipped"]},
                                       "required_fields": ["status"]})
    assert custom.canonical("EXIT_CRITERIA") == "DONE_MEANS"
    assert custom.canonical("ACCEPTANCE_CRITERIA") == "DONE_MEANS"  # names add up
    assert custom.status_meaning("shipped") == "done"
    assert custom.status_meaning("done") == "unknown"  # a meaning named replaces its words
    assert custom.status_meaning("in progress") == "active"  # meanings not named keep theirs
    assert custom.required_fields == ("status",)
    assert custom.label("DONE_MEANS") == "Exit criteria (DONE_MEANS)"  # the config's own name first
    assert generic.label("DONE_MEANS") == "Acceptance criteria (DONE_MEANS)"


def test_handshake_profile_is_the_reference_vocabulary() -> None:
    hs = build_profile("handshake")
    assert hs.process_rules and hs.eras and not hs.front_matter
    assert hs.status_meaning("validated") == "done" and hs.status_meaning("shipped") == "unknown"
    assert hs.test_plan_forms == ("fenced",)
    assert hs.label("DONE_MEANS") == "DONE_MEANS"


def test_profile_detection(tmp_path: Path) -> None:
    assert detect_profile(tmp_path) == "generic"
    (tmp_path / ".GOV").mkdir()
    assert detect_profile(tmp_path) == "handshake"


def test_spec_file_patterns() -> None:
    p = build_profile("generic", {"layout": {"spec_files": ["ledger-spec-v{version}.md"]}})
    assert p.spec_version_of("spec/ledger-spec-v1.10.md") == "1.10"
    assert p.spec_version_of("ledger-spec-v1.md") is None  # a version has a dot
    assert p.spec_version_of("ledger-notes-v1.2.md") is None


# -- front matter ------------------------------------------------------------------


def test_yaml_front_matter_keeps_values_as_written() -> None:
    fm = read_front_matter(["---", "status: Done", "anchors: [2.10, 3.2]", "tags:", "  - a", "  - b", "---", "# T"])
    assert fm is not None and fm.problem is None and fm.last == 7
    values = {v.key: v for v in fm.values}
    assert values["status"].value == "Done" and values["status"].line == 2
    assert [t for t, _ in values["anchors"].items] == ["2.10", "3.2"]  # not the float 2.1
    assert values["tags"].items == (("a", 5), ("b", 6))


def test_toml_front_matter() -> None:
    fm = read_front_matter(["+++", 'status = "Done"', "anchors = [2.10]", "+++"])
    assert fm is not None and fm.problem is None
    values = {v.key: v for v in fm.values}
    assert values["status"].value == "Done" and values["anchors"].items == (("2.10", 3),)


@pytest.mark.parametrize("lines, where", [
    (["---", "status: [unclosed", "---"], 2),
    (["---", "- just", "- a list", "---"], 2),
    (["+++", "status = ", "+++"], 2),
])
def test_broken_front_matter_is_reported(lines: list[str], where: int) -> None:
    fm = read_front_matter(lines)
    assert fm is not None and fm.problem is not None and fm.problem[0] == where


def test_no_front_matter() -> None:
    assert read_front_matter(["# Title", "---"]) is None
    assert read_front_matter(["---", "status: Done"]) is None  # never closed: Markdown, not front matter


def test_front_matter_fields_end_to_end(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK})
    code, report = validate_json(repo, "--all")
    assert code == 0, report
    packet = report["packets"][0]
    assert packet["verdict"] == "PASS" and rules_of(report, "LED-1") == []


def test_broken_front_matter_is_a_finding_with_its_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK.replace("status: In Progress", "status: [In Progress")})
    _, report = validate_json(repo, "--all")
    malformed = findings(report, "LED-1", "markdown-malformed")
    assert len(malformed) == 1 and malformed[0]["line"] == 2 and "YAML" in malformed[0]["message"]


# -- TEST_PLAN forms ---------------------------------------------------------------


@pytest.mark.parametrize("plan", [
    "```\npytest -q tests/test_currency.py\n```\n",
    "    pytest -q tests/test_currency.py\n",
    "- `pytest -q tests/test_currency.py`\n- `ruff check .`\n",
])
def test_test_plan_forms_give_commands(tmp_path: Path, plan: str) -> None:
    text = TASK_OK.split("## Test plan")[0] + "## Test plan\n\n" + plan
    repo = make_repo(tmp_path, {"LED-1.md": text})
    repo_obj, _, _ = open_repo(repo)
    packet = load_packet(repo_obj, repo_obj.packets["LED-1"])
    assert packet.test_plan is not None
    assert packet.test_plan.commands[0].text == "pytest -q tests/test_currency.py"
    lines = text.splitlines()
    assert packet.test_plan.commands[0].line == next(n for n, ln in enumerate(lines, 1) if "pytest" in ln)


@pytest.mark.parametrize("plan, message", [
    ("Run the currency tests by hand.\n", "names no command govcheck can run"),
    ("- run the currency tests\n- `ruff check .`\n", "names no command govcheck can run"),
    ("", "has no commands"),
])
def test_unrecognised_or_empty_test_plan_is_a_finding(tmp_path: Path, plan: str, message: str) -> None:
    text = TASK_OK.split("## Test plan")[0] + "## Test plan\n\n" + plan
    repo = make_repo(tmp_path, {"LED-1.md": text})
    _, report = validate_json(repo, "--all")
    missing = findings(report, "LED-1", "field-missing")
    assert [m["message"] for m in missing if message in m["message"]], missing


# -- aliases, required fields, statuses ----------------------------------------------


def test_missing_required_field_is_named_as_the_team_writes_it(tmp_path: Path) -> None:
    text = TASK_OK.replace("## Test plan\n```\npytest -q tests/test_currency.py\n```\n", "")
    repo = make_repo(tmp_path, {"LED-1.md": text})
    _, report = validate_json(repo, "--all")
    assert [f["message"] for f in findings(report, "LED-1", "field-missing")] == ["Test plan (TEST_PLAN) is missing"]


def test_required_fields_from_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK}, config=CONFIG + "required_fields: [status, owner]\n")
    _, report = validate_json(repo, "--all")
    assert [f["message"] for f in findings(report, "LED-1", "field-missing")] == ["OWNER is missing"]
    with_owner = TASK_OK.replace("status: In Progress", "status: In Progress\nowner: Kim")
    repo = make_repo(tmp_path, {"LED-1.md": with_owner}, config=CONFIG + "required_fields: [status, owner]\n")
    _, report = validate_json(repo, "--all")
    assert findings(report, "LED-1", "field-missing") == []


def test_status_vocabulary_by_meaning(tmp_path: Path) -> None:
    config = CONFIG + "statuses:\n  done: [Shipped]\n"
    shipped_old = TASK_OK.replace("status: In Progress", "status: Shipped").replace("spec: v1.3", "spec: v1.2") \
        .replace('anchors: ["2.2"]', 'anchors: ["2.1"]')
    repo = make_repo(tmp_path, {"LED-1.md": shipped_old, "LED-2.md": TASK_OK.replace("In Progress", "Done")},
                     config=config)
    _, report = validate_json(repo, "--all")
    verdicts = {p["id"]: p["verdict"] for p in report["packets"]}
    # Shipped means done: closed work whose anchored section changed is OUTDATED, not FAIL.
    assert verdicts["LED-1"] == "OUTDATED"
    assert [f["message"][:41] for f in findings(report, "LED-2", "field-invalid")] == \
        ["Status 'Done' is not a canonical status ("]


# -- process rules, eras ---------------------------------------------------------------


def test_process_rules_off_under_generic_unless_switched_on(tmp_path: Path) -> None:
    text = TASK_OK.replace("is refused with an error", "is refused \u2014 with an error")
    repo = make_repo(tmp_path, {"LED-1.md": text})
    _, report = validate_json(repo, "--all")
    assert findings(report, "LED-1", "non-ascii") == []
    repo = make_repo(tmp_path, {"LED-1.md": text}, config=CONFIG + "rules:\n  non-ascii: {enabled: true}\n")
    _, report = validate_json(repo, "--all")
    assert len(findings(report, "LED-1", "non-ascii")) == 1


def test_rules_command_shows_what_a_profile_runs() -> None:
    generic = run_cli("rules", "--profile", "generic")
    handshake = run_cli("rules", "--profile", "handshake")
    assert generic.exit_code == 0 and handshake.exit_code == 0
    line = next(ln for ln in generic.stdout.splitlines() if ln.startswith("phase-order"))
    assert "not run" in line
    line = next(ln for ln in handshake.stdout.splitlines() if ln.startswith("phase-order"))
    assert "not run" not in line


# -- pointers ------------------------------------------------------------------------


@pytest.mark.parametrize("pointer", [
    "current: v1.3\n",
    "spec: ledger-spec-v1.3.md\n",
    "---\ncurrent: 1.3\n---\n# Which spec is current\n",
    "# Current\n\n**ledger-spec-v1.3.md**\n",
    # in words: a key of a few words, trailing text, a line that is no pointer first
    "Current edition: ledger 1.3 (adopted in May)\n",
    "Spec owner: Kim\nCurrent edition: **ledger-spec-v1.3.md**\n",
    "- Latest spec: v1.3\n",
])
def test_pointer_forms(tmp_path: Path, pointer: str) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK}, pointer=pointer)
    _, report = validate_json(repo, "--all")
    assert report["spec_current"]["version"] == "1.3"
    assert report["spec_current"]["spec_file"] == "spec/ledger-spec-v1.3.md"


def test_latest_without_a_pointer(tmp_path: Path) -> None:
    config = CONFIG.replace("spec_current: [spec/CURRENT.md]", "spec_current: latest")
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK}, config=config, pointer=None)
    _, report = validate_json(repo, "--all")
    assert report["spec_current"]["version"] == "1.3"


@pytest.mark.parametrize("pointer, says", [
    ("current: v2.0\n", "layout.spec_files"),
    ("nothing here\n", "no pointer found"),
    ("current: soon\n", "layout.spec_files"),
])
def test_bad_pointer_is_exit_2_naming_what_to_change(tmp_path: Path, pointer: str, says: str) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK}, pointer=pointer)
    res = run_cli("validate", "--all", "--no-run", "--repo", str(repo))
    assert res.exit_code == 2 and says in res.stderr and len(res.stderr.strip().splitlines()) == 1


# -- discovery, and no silent pass ------------------------------------------------------


def test_discovery_by_glob_and_id_pattern(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK, "LED-2.md": TASK_OK, "README.md": "# About tasks\n",
                                "LED-draft.md": TASK_OK})
    repo_obj, _, _ = open_repo(repo)
    assert sorted(repo_obj.packets) == ["LED-1", "LED-2"]


def test_folder_per_task(tmp_path: Path) -> None:
    config = CONFIG.replace('packet_files: ["LED-*.md"]', 'packet_files: ["LED-*/task.md"]')
    repo = make_repo(tmp_path, {}, config=config,
                     extra={"tasks/LED-7/task.md": TASK_OK, "tasks/LED-7/notes.md": "notes\n",
                            "tasks/LED-8/task.md": TASK_OK})
    repo_obj, _, _ = open_repo(repo)
    assert sorted(repo_obj.packets) == ["LED-7", "LED-8"]
    assert repo_obj.packets["LED-7"].path == "tasks/LED-7/task.md"


@pytest.mark.parametrize("change, says", [
    (("packets: [tasks]", "packets: [taks]"), "layout.packets: no folder taks"),
    (('packet_files: ["LED-*.md"]', 'packet_files: ["TASK-*.md"]'), "layout.packet_files"),
    (("id_pattern: 'LED-[0-9]+'", "id_pattern: 'TASK-[0-9]+'"), "layout.id_pattern"),
])
def test_nothing_found_is_exit_2_naming_the_key(tmp_path: Path, change: tuple[str, str], says: str) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK}, config=CONFIG.replace(*change))
    res = run_cli("validate", "--all", "--no-run", "--repo", str(repo))
    assert res.exit_code == 2, res.stdout
    assert says in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_repo_with_packets_is_not_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK})
    assert run_cli("validate", "--all", "--no-run", "--repo", str(repo)).exit_code == 0


def test_unknown_id_names_the_configured_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK})
    res = run_cli("validate", "LED-9", "--no-run", "--repo", str(repo))
    assert res.exit_code == 2 and "layout.packet_files" in res.stderr


# -- a fix the profile work brought: a one-bullet DONE_MEANS heading --------------------


def test_done_means_heading_with_one_bullet_lists_it_once(tmp_path: Path) -> None:
    text = TASK_OK.replace("- A posting with two currencies is refused with an error naming both.\n",
                           "- A posting with two currencies is refused.\n")
    repo = make_repo(tmp_path, {"LED-1.md": text})
    repo_obj, _, _ = open_repo(repo)
    packet = load_packet(repo_obj, repo_obj.packets["LED-1"])
    assert packet.done_means is not None
    assert [i.text for i in packet.done_means.items] == ["A posting with two currencies is refused."]


# -- old spec versions from git history, by the profile's file names ---------------------


def test_old_spec_version_from_git_history(tmp_path: Path) -> None:
    stale = TASK_OK.replace("status: In Progress", "status: Done").replace("spec: v1.3", "spec: v1.2") \
        .replace('anchors: ["2.2"]', 'anchors: ["2.1"]')
    repo = make_repo(tmp_path, {"LED-1.md": stale})

    def git(*args: str) -> None:
        _git(repo, *args)

    git("init", "-q", ".")
    git("add", "-A")
    git("commit", "-qm", "specs")
    (repo / "spec" / "ledger-spec-v1.2.md").unlink()  # only v1.3 is left in the tree
    git("commit", "-qam", "drop the old spec")
    _, report = validate_json(repo, "--all")
    stale_findings = findings(report, "LED-1", "spec-stale")
    # The old text came from history: the changed anchored section is named.
    assert len(stale_findings) == 1 and "anchored sections changed since: 2.1" in stale_findings[0]["message"]
    assert report["packets"][0]["verdict"] == "OUTDATED"


def test_ci_selects_changed_tasks_and_specs_by_the_profile(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK, "LED-2.md": TASK_OK})

    def git(*args: str) -> None:
        _git(repo, *args)

    git("init", "-q", "-b", "main", ".")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-q", "-b", "change")
    (repo / "tasks" / "LED-2.md").write_text(TASK_OK.replace("Currency on postings", "Currency rules"))
    git("commit", "-qam", "edit one task")
    res = run_cli("ci", "--repo", str(repo), "--no-run", "--base", "main", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert [p["id"] for p in res.json()["packets"]] == ["LED-2"]
    # A task matching no packet pattern is not a packet change.
    (repo / "tasks" / "notes.md").write_text("# notes\n")
    git("add", "-A")
    git("commit", "-qm", "notes")
    res = run_cli("ci", "--repo", str(repo), "--no-run", "--base", "main", "--format", "json")
    assert [p["id"] for p in res.json()["packets"]] == ["LED-2"]


def test_angle_bracket_template_slots_are_placeholders(tmp_path: Path) -> None:
    text = TASK_OK.replace("- A posting with two currencies is refused with an error naming both.",
                           "- Given <context>, When <action>, Then <outcome>\n- The error names `<currency>` codes.")
    repo = make_repo(tmp_path, {"LED-1.md": text})
    _, report = validate_json(repo, "--all")
    placeholders = findings(report, "LED-1", "done-means-placeholder")
    assert len(placeholders) == 1 and "<context>" in placeholders[0]["message"]


@pytest.mark.parametrize("spec_line, expected", [
    ("", [("spec-unanchored", "error")]),  # no spec field: one cause, one finding
    ("spec: soon\n", [("field-missing", "error"), ("spec-unanchored", "error")]),  # written, names no version
])
def test_missing_spec_version_is_reported_once(tmp_path: Path, spec_line: str, expected: list) -> None:
    repo = make_repo(tmp_path, {"LED-1.md": TASK_OK.replace("spec: v1.3\n", spec_line)})
    _, report = validate_json(repo, "--all")
    assert rules_of(report, "LED-1") == expected


def test_spec_versions_as_folders(tmp_path: Path) -> None:
    """``spec_files: ["v{version}/spec.md"]``: one folder per version."""
    config = CONFIG.replace('spec_files: ["ledger-spec-v{version}.md"]', 'spec_files: ["v{version}/spec.md"]')
    stale = TASK_OK.replace("status: In Progress", "status: Done").replace("spec: v1.3", "spec: v1.2") \
        .replace('anchors: ["2.2"]', 'anchors: ["2.1"]')
    repo = make_repo(tmp_path, {"LED-1.md": stale, "LED-2.md": TASK_OK}, config=config, pointer="current: v1.3\n",
                     extra={"spec/v1.2/spec.md": SPEC_OLD, "spec/v1.3/spec.md": SPEC_NEW, "spec/v1.3/notes.md": "x\n"})
    assert build_profile("generic", {"layout": {"spec_files": ["v{version}/spec.md"]}}).spec_version_of(
        "spec/v1.3/spec.md") == "1.3"
    _, report = validate_json(repo, "--all")
    assert report["spec_current"]["spec_file"] == "spec/v1.3/spec.md"
    assert {p["id"]: p["verdict"] for p in report["packets"]} == {"LED-1": "OUTDATED", "LED-2": "PASS"}
    assert "anchored sections changed since: 2.1" in findings(report, "LED-1", "spec-stale")[0]["message"]


def test_id_from_front_matter_when_the_name_has_none(tmp_path: Path) -> None:
    with_id = TASK_OK.replace("---\nstatus:", "---\nid: LED-7\nstatus:")
    config = CONFIG.replace('packet_files: ["LED-*.md"]', 'packet_files: ["*.md"]')
    repo = make_repo(tmp_path, {"currency-rules.md": with_id, "LED-1.md": TASK_OK, "README.md": "# About\n",
                                "no-id.md": TASK_OK}, config=config)
    repo_obj, _, _ = open_repo(repo)
    assert sorted(repo_obj.packets) == ["LED-1", "LED-7"]
    assert repo_obj.packets["LED-7"].path == "tasks/currency-rules.md"
    _, report = validate_json(repo, "LED-7")
    assert report["packets"][0]["verdict"] == "PASS"


def test_a_command_that_is_only_a_template_slot_is_a_placeholder(tmp_path: Path) -> None:
    text = TASK_OK.split("## Test plan")[0] + "## Test plan\n\n- `<command>`\n"
    repo = make_repo(tmp_path, {"LED-1.md": text})
    _, report = validate_json(repo, "--all")
    assert [f["message"] for f in findings(report, "LED-1", "placeholder-left")] == \
        ["TEST_PLAN command still holds the placeholder '<command>'"]
    real = TASK_OK.split("## Test plan")[0] + "## Test plan\n\n- `git log <base>..HEAD`\n"
    repo = make_repo(tmp_path, {"LED-1.md": real})
    _, report = validate_json(repo, "--all")
    assert findings(report, "LED-1", "placeholder-left") == []
