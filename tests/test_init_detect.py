"""``govcheck init`` detects the layout and writes a config that works:
each detection on its own (what it finds, and what it must not take), the
bounds of the walk, refusals, and per dialect an end-to-end run: init, then
``validate --all --no-run`` finds every packet and the right current spec."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from govcheck.commands import init as detect_mod
from govcheck.commands.init import (
    Tree,
    detect_fields,
    detect_packets,
    detect_pointer,
    detect_specs,
    detect_statuses,
    id_pattern,
    id_stem,
    map_field,
    names_in,
    scan_tree,
    spec_template,
    status_meaning,
)
from govcheck.model.profile import spec_file_regex
from govcheck.repo.config import load_config
from tests.conftest import STORAGE, copy_fixture, run_cli, validate_json

SPEC = "# Payments spec v{v}\n## 1. Scope\nText.\n## 2. Refunds\n### 2.1 Refund window\nWithin {days} days.\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def init(root: Path, *extra: str):
    return run_cli("init", "--repo", str(root), *extra)


def specs(folder: str = "spec", name: str = "payments-spec-v{v}.md", versions=("1.2", "1.3")) -> dict[str, str]:
    return {f"{folder}/{name.format(v=v)}" if folder != "." else name.format(v=v): SPEC.format(v=v, days=30)
            for v in versions}


# -- names and words --------------------------------------------------------


@pytest.mark.parametrize("name, canonical", [
    ("Acceptance criteria", "done_means"), ("Definition of done", "done_means"), ("DoD", "done_means"),
    ("Exit criteria", "done_means"), ("Test plan", "test_plan"), ("Verification", "test_plan"),
    ("How to verify", "test_plan"), ("spec", "spec_version"), ("Spec version", "spec_version"),
    ("anchors", "spec_anchors"), ("Sections", "spec_anchors"), ("risk", "risk_tier"), ("Risk level", "risk_tier"),
    ("state", "status"), ("Status", "status"), ("Test plan (commands)", "test_plan"),
])
def test_recognisable_field_names_map_to_canonical_fields(name, canonical):
    assert map_field(name) == canonical


@pytest.mark.parametrize("name", ["Context", "Notes", "Summary", "Owner", "Background", ""])
def test_other_names_map_to_nothing(name):
    assert map_field(name) is None


@pytest.mark.parametrize("word, meaning", [
    ("Done", "done"), ("Shipped", "done"), ("Closed", "done"), ("In Progress", "active"), ("Doing", "active"),
    ("in-progress", "active"), ("Todo", "ready"), ("Queued", "ready"), ("Open", "ready"), ("Blocked", "blocked"),
    ("Done [2026-01-02]", "done"), ("Draft", "stub"), ("Cancelled", "superseded"),
])
def test_status_words_get_their_meaning(word, meaning):
    assert status_meaning(word) == meaning


@pytest.mark.parametrize("word", ["Parked", "Needs QA", "", "???"])
def test_unknown_status_words_get_none(word):
    assert status_meaning(word) is None


def test_id_stems_and_patterns():
    assert id_stem("TASK-001") == ("TASK", False)
    assert id_stem("PAY-12-refunds") == ("PAY", True)
    assert id_stem("CHG-7") == ("CHG", False)
    assert id_stem("0007-refund-window") == ("", True) and id_stem("0042") == ("", False)
    assert re.fullmatch(id_pattern([""], True), "0007-refund-window")
    for not_an_id in ("README", "payments-spec-v1.2", "TASK-", "-12", "TASK_001", "2024-01-01"):
        assert id_stem(not_an_id) is None, not_an_id
    assert re.fullmatch(id_pattern(["TASK"], False), "TASK-001")
    assert not re.fullmatch(id_pattern(["TASK"], False), "TASK-001-x")
    assert re.fullmatch(id_pattern(["TASK"], True), "TASK-001-x")
    both = id_pattern(["FEAT", "BUG"], False)
    assert both == "(?:BUG|FEAT)-[0-9]+" and re.fullmatch(both, "FEAT-3") and not re.fullmatch(both, "OPS-3")


def test_spec_templates():
    assert spec_template("payments-spec-v1.2.md") == ("payments-spec-v{version}.md", "1.2")
    assert spec_template("Handshake_Master_Spec_v02.93.md") == ("Handshake_Master_Spec_v{version}.md", "02.93")
    assert spec_template("api-2.0.1.md") == ("api-{version}.md", "2.0.1")
    for name in ("README.md", "spec-v3.md", "payments-spec-v1.2.txt", "CHANGELOG.md"):
        assert spec_template(name) is None, name
    template, _ = spec_template("payments-spec-v1.10.md")
    assert spec_file_regex(template).match("payments-spec-v1.2.md")


# -- the walk ----------------------------------------------------------------


def test_the_walk_skips_hidden_vendored_and_linked_folders(tmp_path):
    outside = write(tmp_path / "outside", {"TASK-9.md": "x", "sub/TASK-8.md": "x"})
    root = write(tmp_path / "repo", {
        "tasks/TASK-1.md": "x", ".hidden/TASK-2.md": "x", "node_modules/m/TASK-3.md": "x",
        "vendor/TASK-4.md": "x", "venv2/pyvenv.cfg": "", "venv2/TASK-5.md": "x",
    })
    os.symlink(outside / "sub", root / "linked")
    os.symlink(outside / "TASK-9.md", root / "tasks" / "TASK-9.md")
    tree = scan_tree(root)
    assert tree.md_files["tasks"] == ["TASK-1.md"]
    assert not any(d.startswith((".hidden", "node_modules", "vendor", "venv2", "linked")) for d in tree.md_files)
    assert tree.read("tasks/TASK-9.md") is None  # a link out of the repo is never read


def test_the_walk_is_bounded(tmp_path, monkeypatch):
    deep = "/".join(f"d{i}" for i in range(10))
    root = write(tmp_path, {f"{deep}/TASK-1.md": "x", **{f"tasks/TASK-{i}.md": "x" for i in range(20)}})
    monkeypatch.setattr(detect_mod, "MAX_DEPTH", 4)
    monkeypatch.setattr(detect_mod, "MAX_READS", 5)
    tree = scan_tree(root)
    assert not any(d.count("/") >= 4 for d in tree.md_files) and tree.truncated
    texts = [tree.read(f"tasks/TASK-{i}.md") for i in range(20)]
    assert sum(t is not None for t in texts) == 5


def test_a_read_is_capped(tmp_path):
    root = write(tmp_path, {"big.md": "x" * 200_000})
    tree = scan_tree(root)
    assert len(tree.read("big.md")) == detect_mod.READ_CAP


# -- packets ------------------------------------------------------------------


TASK = "---\nstatus: Done\n---\n# T\n\n## Acceptance criteria\n- works\n"


def test_flat_task_files_are_found(tmp_path):
    root = write(tmp_path, {"tasks/TASK-001.md": TASK, "tasks/TASK-002.md": TASK, "tasks/README.md": "# Tasks\n",
                            "tasks/done/TASK-000.md": TASK, "tasks/templates/TASK-999.md": TASK,
                            "tasks/stubs/TASK-998.md": TASK})
    guess = detect_packets(scan_tree(root))
    assert (guess.folder, guess.style, guess.packet_files, guess.id_pattern) == ("tasks", "file", ("TASK-*.md",), "TASK-[0-9]+")
    assert guess.paths == ("tasks/TASK-001.md", "tasks/TASK-002.md", "tasks/done/TASK-000.md")


def test_a_folder_per_task_is_found(tmp_path):
    root = write(tmp_path, {f"work/PAY-{n}/task.md": TASK for n in (12, 13, 14)} | {"work/PAY-12/notes.md": "n"})
    guess = detect_packets(scan_tree(root))
    assert (guess.folder, guess.style, guess.packet_files, guess.id_pattern) == ("work", "folder", ("PAY-*/task.md",), "PAY-[0-9]+")
    assert len(guess.paths) == 3


def test_tasks_win_over_decision_records(tmp_path):
    adr = "# ADR\nStatus: Accepted\n## Decision\nx\n"
    root = write(tmp_path, {**{f"docs/adr/ADR-00{n}.md": adr for n in range(1, 6)},
                            "tasks/CHG-001.md": TASK, "tasks/CHG-002.md": TASK})
    guess = detect_packets(scan_tree(root))
    assert guess.folder == "tasks" and guess.prefixes == ("CHG",)
    assert any("docs/adr/" in o for o in guess.others)


def test_tasks_named_by_number_alone(tmp_path):
    root = write(tmp_path, {"docs/tasks/0001-create-orders.md": TASK, "docs/tasks/0002-fast-orders.md": TASK,
                            **{f"docs/adr/000{n}-record.md": "# ADR\nStatus: Accepted\n" for n in range(1, 6)}})
    guess = detect_packets(scan_tree(root))
    assert guess.folder == "docs/tasks" and guess.packet_files == ("[0-9]*.md",)
    assert re.fullmatch(guess.id_pattern, "0001-create-orders") and not re.fullmatch(guess.id_pattern, "README")


def test_numbered_decision_records_alone_are_no_tasks(tmp_path):
    root = write(tmp_path, {f"docs/adr/000{n}-record.md": "# ADR\nStatus: Accepted\n" for n in range(1, 6)})
    assert detect_packets(scan_tree(root)) is None


@pytest.mark.parametrize("files", [
    {},
    {"notes/README.md": "# x", "notes/ideas.md": "# y"},  # no id names
    {"misc/TASK-1.md": "# lonely"},  # one file, no hint, nothing recognisable
    {"tasks/TASK-1.txt": "x", "tasks/TASK-2.txt": "x"},  # not Markdown
])
def test_no_task_files_no_guess(tmp_path, files):
    assert detect_packets(scan_tree(write(tmp_path, files))) is None


# -- specs ----------------------------------------------------------------------


def test_versioned_spec_files_are_found(tmp_path):
    root = write(tmp_path, {**specs(versions=("1.2", "1.10", "1.3")), "docs/api-2.0.md": "x"})
    guess = detect_specs(scan_tree(root))
    assert (guess.folder, guess.spec_files, guess.versions) == ("spec", "payments-spec-v{version}.md", ("1.2", "1.3", "1.10"))


def test_spec_files_need_a_version_or_a_family(tmp_path):
    assert detect_specs(scan_tree(write(tmp_path / "a", {"spec/spec.md": "x", "docs/notes-v1.md": "x"}))) is None
    # One versioned file counts when it says it is a spec ...
    assert detect_specs(scan_tree(write(tmp_path / "b", {"docs/spec-v1.0.md": "x"}))).versions == ("1.0",)
    # ... a lone versioned file of another name does not.
    assert detect_specs(scan_tree(write(tmp_path / "c", {"docs/release-1.0.md": "x"}))) is None


def _pointer(root: Path):
    tree = scan_tree(root)
    return detect_pointer(tree, detect_specs(tree))


@pytest.mark.parametrize("rel, text", [
    ("spec/CURRENT.md", "current: v1.2\n"),
    ("spec/CURRENT.md", "**payments-spec-v1.2.md**\n"),
    ("SPEC_CURRENT.md", "spec: payments-spec-v1.2.md\n"),
    ("spec/pointer.md", "# Which spec\n\ncurrent: 1.2\n"),  # any small file in the spec folder
])
def test_a_pointer_file_is_found(tmp_path, rel, text):
    root = write(tmp_path, {**specs(), rel: text})
    found = _pointer(root)
    assert (found.path, found.version) == (rel, "1.2")


@pytest.mark.parametrize("rel, text", [
    ("spec/CURRENT.md", "current: v9.9\n"),  # names a version with no file
    ("spec/README.md", "Versions: 1.2 and 1.3.\ncurrent: 1.2\n"),  # names two versions: not a pointer
    ("spec/CURRENT.md", "Nothing here.\n"),
])
def test_no_pointer_when_none_resolves(tmp_path, rel, text):
    assert _pointer(write(tmp_path, {**specs(), rel: text})) is None


# -- fields and statuses -----------------------------------------------------------


def test_names_in_front_matter_headings_and_labels():
    text = ("---\nstate: Done\nanchors: [2.1]\n---\n# Title\n\n## Definition of done\n- x\n\n"
            "**How to verify:** run it\n- Risk: LOW\n```\n## Not a heading\nSpec: no\n```\n")
    assert names_in(text) == ["state", "anchors", "Definition of done", "How to verify", "Risk"]


def test_fields_found_are_mapped_and_others_listed():
    texts = ["---\nstate: Done\nsections: [2.1]\n---\n## Exit criteria\n- x\n## Context\ny\n",
             "**State:** Doing\n\n## Exit criteria\n- x\n## Context\ny\n## Verification\n`pytest`\n"]
    found = detect_fields(texts)
    assert found.names == {"status": ("state",), "spec_anchors": ("sections",), "done_means": ("Exit criteria",),
                           "test_plan": ("Verification",)}
    assert found.present == {"status": 2, "spec_anchors": 1, "done_means": 2, "test_plan": 1}
    assert found.unknown == ("Context",)


def test_statuses_by_meaning_and_unplaced():
    found = detect_statuses(["Shipped", "Doing", "Queued", "Blocked", "Parked", "shipped", "Done (2026-01-02)"])
    assert found.by_meaning == {"ready": ("Queued",), "active": ("Doing",), "done": ("Shipped", "Done"),
                                "blocked": ("Blocked",)}
    assert found.unplaced == ("Parked",)


# -- the command --------------------------------------------------------------------


def test_nothing_recognisable_is_refused_in_one_line(tmp_path):
    write(tmp_path, {"README.md": "# hello\n", "src/main.py": "print()\n"})
    res = init(tmp_path)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "nothing recognisable found" in res.stderr and "TASK-001.md" in res.stderr
    assert not (tmp_path / "govcheck.yaml").exists()


def test_tasks_without_a_spec_are_refused(tmp_path):
    write(tmp_path, {"tasks/TASK-1.md": TASK, "tasks/TASK-2.md": TASK})
    res = init(tmp_path)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "no spec file" in res.stderr
    assert not (tmp_path / "govcheck.yaml").exists()


def test_an_existing_config_is_kept_unless_forced(tmp_path):
    write(tmp_path, {"tasks/TASK-1.md": TASK, "tasks/TASK-2.md": TASK, **specs(), "govcheck.yaml": "# mine\n"})
    res = init(tmp_path)
    assert res.exit_code == 2 and "use --force" in res.stderr
    assert (tmp_path / "govcheck.yaml").read_text() == "# mine\n"
    assert init(tmp_path, "--force").exit_code == 0
    assert "profile: generic" in (tmp_path / "govcheck.yaml").read_text()


@pytest.mark.parametrize("files", [{".govcheck.yaml": "# mine\n"},
                                   {"pyproject.toml": "[tool.govcheck]\nfail_on = 'fail'\n"}])
def test_another_config_source_is_kept_unless_forced(tmp_path, files):
    write(tmp_path, {"tasks/TASK-1.md": TASK, "tasks/TASK-2.md": TASK, **specs(), **files})
    res = init(tmp_path)
    assert res.exit_code == 2 and "--force" in res.stderr and not (tmp_path / "govcheck.yaml").exists()


def test_the_reference_layout_keeps_the_handshake_starter(tmp_path):
    repo = copy_fixture(STORAGE, tmp_path / "repo")
    res = init(repo)
    assert res.exit_code == 0, res.stderr
    text = (repo / "govcheck.yaml").read_text()
    assert "profile: handshake" in text and 'packets: [".GOV/task_packets"]' in text
    assert load_config(repo).profile.name == "handshake"


# -- end to end, per dialect ----------------------------------------------------------


def _init_and_validate(root: Path) -> tuple[str, dict]:
    res = init(root)
    assert res.exit_code == 0, res.stderr
    text = (root / "govcheck.yaml").read_text()
    load_config(root)  # it loads
    _code, report = validate_json(root, "--all")
    return text, report


def _status_problems(report: dict) -> list[str]:
    return [f["message"] for p in report["packets"] for f in p["findings"]
            if f["rule"] in ("field-invalid", "field-missing", "done-means-missing")]


def test_front_matter_dialect(tmp_path):
    def task(state: str, spec: str) -> str:
        return (f"---\nstate: {state}\nspec: {spec}\nsections: [\"2.1\"]\nrisk: LOW\n---\n# A task\n\n"
                "## Definition of done\n- The refund window is 14 days.\n\n"
                "## Verification\n```\npytest -q\n```\n\n## Context\nWhy.\n")
    root = write(tmp_path, {
        "tasks/TASK-001.md": task("Shipped", "v1.2"), "tasks/TASK-002.md": task("Doing", "v1.3"),
        "tasks/TASK-003.md": task("Queued", "v1.3"), "tasks/TEMPLATE.md": "# template\n",
        **specs(versions=("1.2", "1.3")), "spec/CURRENT.md": "current: v1.3\n",
    })
    text, report = _init_and_validate(root)
    assert "spec_current: [\"spec/CURRENT.md\"]" in text and "id_pattern: 'TASK-[0-9]+'" in text
    assert 'status: ["state"]' in text and 'spec_anchors: ["sections"]' in text
    assert 'done: ["Shipped"]' in text and 'active: ["Doing"]' in text and 'ready: ["Queued"]' in text
    assert sorted(p["id"] for p in report["packets"]) == ["TASK-001", "TASK-002", "TASK-003"]
    assert report["spec_current"]["version"] == "1.3"
    assert _status_problems(report) == []
    assert {p["id"]: p["status"] for p in report["packets"]}["TASK-001"] == "Shipped"


def test_bold_label_dialect(tmp_path):
    def change(state: str) -> str:
        # Scalar labels on their own lines; labels with a body as list items
        # (the parser reads a list item's nested bullets as its body).
        return (f"# Change\n\n**State:** {state}\n**Spec version:** 2.1\n**Risk level:** HIGH\n\n"
                "- **Exit criteria:**\n  - The API returns 409.\n- **How to verify:**\n  - `make test`\n")
    root = write(tmp_path, {
        "changes/CHG-001.md": change("Closed"), "changes/CHG-002.md": change("In Progress"),
        "changes/CHG-003.md": change("Parked"),
        **specs("specs", "api-spec-{v}.md", ("2.0", "2.1")),
    })
    text, report = _init_and_validate(root)
    assert "spec_current: latest" in text and "no pointer file found" in text
    assert 'spec_files: ["api-spec-{version}.md"]' in text and 'packets: ["changes"]' in text
    assert 'done_means: ["Exit criteria"]' in text and 'test_plan: ["How to verify"]' in text
    assert "could not place: Parked" in text
    assert sorted(p["id"] for p in report["packets"]) == ["CHG-001", "CHG-002", "CHG-003"]
    assert report["spec_current"]["version"] == "2.1"
    # Only the word left for the user to place is a problem.
    assert all("Parked" in m for m in _status_problems(report))


def test_folder_per_task_dialect(tmp_path):
    def task(status: str) -> str:
        return (f"# Task\n\n- Status: {status}\n- Spec: payments-v1.1.md\n\n## Acceptance criteria\n- ok\n\n"
                "## Test plan\n```\npytest\n```\n")
    root = write(tmp_path, {
        "work/PAY-12/task.md": task("Done"), "work/PAY-12/notes.md": "# notes\n",
        "work/PAY-13/task.md": task("Blocked"), "work/PAY-14/task.md": task("Todo"),
        **specs(".", "payments-v{v}.md", ("1.0", "1.1")), "SPEC_CURRENT.md": "**payments-v1.0.md**\n",
        "node_modules/x/PAY-99/task.md": task("Done"),
    })
    text, report = _init_and_validate(root)
    assert 'packet_files: ["PAY-*/task.md"]' in text and 'spec_dirs: ["."]' in text
    assert "SPEC_CURRENT.md names the current spec: v1.0 (the newest spec file is v1.1)" in text
    assert sorted(p["id"] for p in report["packets"]) == ["PAY-12", "PAY-13", "PAY-14"]
    assert report["spec_current"]["version"] == "1.0"
    assert _status_problems(report) == []


def test_g1_like_repo_with_slugged_ids(tmp_path):
    root = write(tmp_path, {"tasks/TASK-1-refunds.md": TASK, "tasks/TASK-2-partial.md": TASK, **specs()})
    text, report = _init_and_validate(root)
    assert sorted(p["id"] for p in report["packets"]) == ["TASK-1-refunds", "TASK-2-partial"]
    assert report["spec_current"]["version"] == "1.3"
    # No packet has a test plan or a spec field: still required (a dropped
    # requirement would let every packet without it pass), and said so.
    assert 'required_fields: ["status", "done_means", "test_plan", "spec_version"]' in text
    assert "No packet read has test_plan, spec_version under a name init knows" in text
    missing = {f["message"] for p in report["packets"] for f in p["findings"] if f["rule"] == "field-missing"}
    assert any("TEST_PLAN" in m for m in missing)


def test_unused_tree_is_not_read(tmp_path, monkeypatch):
    root = write(tmp_path, {"tasks/TASK-1.md": TASK, "tasks/TASK-2.md": TASK, **specs(),
                            **{f"notes/n{i}.md": "# note\n" for i in range(50)}})
    reads: list[str] = []
    real = Tree.read

    def spy(self, rel, cap=detect_mod.READ_CAP):
        reads.append(rel)
        return real(self, rel, cap)

    monkeypatch.setattr(Tree, "read", spy)
    assert init(root).exit_code == 0
    assert not any(r.startswith("notes/") for r in reads)


def test_a_folder_per_spec_version_is_found(tmp_path):
    root = write(tmp_path, {"tasks/TASK-1.md": TASK, "tasks/TASK-2.md": TASK,
                            "spec/v1.2/spec.md": SPEC.format(v="1.2", days=30),
                            "spec/v1.3/spec.md": SPEC.format(v="1.3", days=14),
                            "spec/v1.3/notes.md": "# notes\n"})
    text, report = _init_and_validate(root)
    assert 'spec_files: ["v{version}/spec.md"]' in text
    assert report["spec_current"]["version"] == "1.3"
    assert sorted(p["id"] for p in report["packets"]) == ["TASK-1", "TASK-2"]


def test_slug_named_tasks_with_ids_in_front_matter(tmp_path):
    def task(n: int) -> str:
        return f"---\nid: TASK-{n}\nstatus: Done\nspec: v1.3\n---\n# T\n\n## Acceptance criteria\n- works\n"

    root = write(tmp_path, {"tasks/refund-window.md": task(1), "tasks/partial-refunds.md": task(2),
                            "tasks/README.md": "# About our tasks\n", **specs()})
    text, report = _init_and_validate(root)
    assert 'packet_files: ["*.md"]' in text and "with an id in their front matter" in text
    assert sorted(p["id"] for p in report["packets"]) == ["TASK-1", "TASK-2"]
