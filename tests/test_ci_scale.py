"""Issue 16: outputs that fit GitHub's limits on large repos (job summary,
annotations, SARIF), JUnit that strict consumers accept, the rule docs SARIF
links to. Reports are scaled up from the storage-foundation fixture by
repeating its failing packet under new ids, so the sizes are those of a
repository with hundreds of failing packets."""

from __future__ import annotations

import collections
import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, STORAGE, run_cli

from govcheck.engine.validate import ValidateOptions, validate
from govcheck.model import CommandResult, Finding, Report, Severity, Verdict
from govcheck.report import RenderOptions, render, rules_doc
from govcheck.rules import all_rules

DATA = Path(__file__).parent / "data"
FAIL_ID = "WP-1-Storage-Foundation"


@pytest.fixture(scope="module")
def report() -> Report:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
        return validate(STORAGE, ValidateOptions(all_packets=True, no_run=True))


def _scaled(report: Report, copies: int, per_packet: int = 12) -> Report:
    """``copies`` failing packets, each with ``per_packet`` error findings
    sharing one message on different lines (as real repeated findings do),
    plus warnings and notices."""
    base = next(r for r in report.packets if r.packet.id == FAIL_ID)
    results = []
    for n in range(copies):
        wp = f"WP-9-Scaled-{n:04d}"
        path = f".GOV/task_packets/{wp}.md"
        found = [Finding("field-missing", Severity.ERROR, "required field RISK_TIER is missing " + "x" * 200, path, 10 + i,
                         packet_id=wp) for i in range(per_packet)]
        found.append(Finding("done-means-vague", Severity.WARNING, "criterion is vague", path, 3, packet_id=wp))
        found.append(Finding("packet-superseded", Severity.INFO, "flat file superseded", path, 1, packet_id=wp))
        packet = dataclasses.replace(base.packet, id=wp, path=path)
        results.append(dataclasses.replace(base, packet=packet, findings=tuple(found), verdict=Verdict.FAIL))
    passing = [r for r in report.packets if r.verdict is Verdict.PASS]
    return dataclasses.replace(report, packets=tuple(passing + results), verdict=Verdict.FAIL)


# --------------------------------------------------------------------------
# Job summary
# --------------------------------------------------------------------------


def test_summary_stays_under_the_limit_and_says_what_it_left_out(report):
    big = _scaled(report, 2000)
    assert len(render("markdown", big).encode()) > 2 * 1024 * 1024  # the old summary would be refused
    text = render("summary", big, RenderOptions(full_report="govcheck-report.md"))
    assert len(text.encode()) <= 1024 * 1024
    assert text.startswith("# govcheck: FAIL")
    assert "<details><summary>WP-9-Scaled-0000: FAIL" in text
    assert re.search(r"Left out .*details of [\d,]+ failing packet\(s\).*The full report: govcheck-report\.md", text)
    # failures first: the passing packet's row comes after every failing one
    rows = [line for line in text.splitlines() if line.startswith("| WP-")]
    verdicts = [row.split("|")[2].strip() for row in rows]
    assert verdicts == sorted(verdicts, key=lambda v: v != "FAIL")


def test_summary_of_a_small_report_leaves_nothing_out(report):
    text = render("summary", report)
    assert "Left out" not in text
    assert text.count("<details>") == sum(1 for r in report.packets if r.verdict is Verdict.FAIL)
    assert text.count("<details>") == text.count("</details>")


def test_summary_escapes_html_in_findings(report):
    r = report.packets[0]
    evil = Finding("field-missing", Severity.ERROR, "</details><script>x</script>", r.packet.path, 1,
                   packet_id=r.packet.id)
    bad = dataclasses.replace(report, packets=(dataclasses.replace(r, findings=(evil,), verdict=Verdict.FAIL),))
    text = render("summary", bad)
    assert "<script>" not in text and text.count("<details>") == text.count("</details>") == 1


# --------------------------------------------------------------------------
# GitHub annotations
# --------------------------------------------------------------------------


def test_annotations_are_capped_errors_first_with_a_count(report):
    text = render("github", _scaled(report, 50), RenderOptions(path_prefix="gov/", full_report="report.md"))
    lines = [line for line in text.splitlines() if line.startswith("::")]
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds.count("::error") == 10 and kinds.count("::warning") == 10 and kinds.count("::notice") == 10
    assert kinds == sorted(kinds, key=["::error", "::warning", "::notice"].index)  # errors first
    assert all("file=gov/.GOV/" in line for line in lines[:-1])
    assert re.search(r"::notice title=govcheck::[\d,]+ more annotation\(s\) not shown \([\d,]+ errors, "
                     r"[\d,]+ warnings, [\d,]+ notices\).*report\.md", lines[-1])
    assert text.splitlines()[-1].startswith("govcheck: FAIL")


def test_annotation_cap_is_configurable(report):
    big = _scaled(report, 5)
    assert sum(1 for line in render("github", big, RenderOptions(max_annotations=0)).splitlines()
               if line.startswith("::")) == 5 * 14  # every unwaived finding
    few = render("github", big, RenderOptions(max_annotations=2)).splitlines()
    assert sum(1 for line in few if line.startswith("::error")) == 2


def test_cli_annotation_paths_are_relative_to_the_workspace(tmp_path):
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "github")
    assert "file=fixtures/storage-foundation/.GOV/task_packets/" in res.stdout  # the git top level is ROOT
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "github", "--path-prefix", "./x")
    assert "file=x/.GOV/task_packets/" in res.stdout
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "github",
                  env={"GITHUB_WORKSPACE": str(STORAGE.parent)})
    assert "file=storage-foundation/.GOV/task_packets/" in res.stdout


# --------------------------------------------------------------------------
# SARIF
# --------------------------------------------------------------------------


def test_sarif_is_capped_by_severity_with_a_note(report):
    big = _scaled(report, 500)  # 7,000 results
    doc = json.loads(render("sarif", big, RenderOptions(max_results=5000)))
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == 5000
    ranks = [["error", "warning", "note", "none"].index(r["level"]) for r in results]
    assert ranks == sorted(ranks)
    note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert note.startswith("2000 of 7000 results left out")
    assert run["properties"]["omittedResults"] == 2000


def test_sarif_fingerprints_are_unique_and_stable(report):
    big = _scaled(report, 20)
    results = json.loads(render("sarif", big))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["govcheck/v1"] for r in results]
    assert len(prints) == len(set(prints))
    # the first of a repeated message keeps the fingerprint it always had
    from govcheck.report import sarif

    first = next(f for f in big.packets[-1].findings if f.rule == "field-missing")
    assert sarif.fingerprint(first) in prints


def test_sarif_rules_link_to_their_docs_and_the_docs_exist(report):
    doc = json.loads(render("sarif", report))
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["helpUri"] == f"https://github.com/govcheck/govcheck/blob/main/docs/rules.md#{rule['id']}"
        assert f"\n## {rule['id']}\n" in page


def test_sarif_baseline_suppressions_are_external(report):
    r = next(r for r in report.packets if r.packet.id == FAIL_ID)
    stale = next(f for f in r.findings if f.rule == "spec-stale")
    # the fixture's packet has one error (spec-stale); a second, waived in the packet, stands beside it
    marked = (stale.with_(waived_by="baseline"), stale.with_(rule="field-missing", waived_by="W-1"))
    doc = json.loads(render("sarif", dataclasses.replace(report, packets=(dataclasses.replace(r, findings=marked),))))
    kinds = {res["ruleId"]: res["suppressions"][0]["kind"] for res in doc["runs"][0]["results"]}
    assert kinds.pop("spec-stale") == "external"
    assert set(kinds.values()) == {"inSource"}


def test_docs_rules_md_is_up_to_date():
    res = run_cli("rules", "--format", "markdown")
    assert res.exit_code == 0
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == res.stdout, (
        "docs/rules.md is stale: govcheck rules --format markdown > docs/rules.md")
    assert set(re.findall(r"^## (\S+)$", res.stdout, re.M)) == set(all_rules())


def test_rules_doc_renders_each_rule_once(report):
    text = rules_doc.render(report.rules)
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == sorted(r.id for r in report.rules)


# --------------------------------------------------------------------------
# JUnit
# --------------------------------------------------------------------------


def _schemas():
    etree = pytest.importorskip("lxml.etree")
    return etree, {name: etree.XMLSchema(etree.parse(str(DATA / f"junit-{name}.xsd"))) for name in ("ant", "jenkins")}


def _with_commands(report: Report) -> Report:
    r = next(r for r in report.packets if r.packet.id == FAIL_ID)
    cmds = (CommandResult("cargo test", 5, "failed", exit_code=127, duration_s=0.25),
            CommandResult("pytest -q", 6, "passed", exit_code=0, duration_s=1.5))
    return dataclasses.replace(report, packets=tuple(dataclasses.replace(x, commands=cmds) if x is r else x
                                                     for x in report.packets))


def test_junit_validates_against_the_ant_and_jenkins_schemas(report):
    etree, schemas = _schemas()
    for rep in (report, _with_commands(report), _scaled(report, 3)):
        doc = etree.fromstring(render("junit", rep).encode("utf-8"))
        for name, schema in schemas.items():
            assert schema.validate(doc), (name, schema.error_log.last_error)


def test_junit_schemas_reject_what_they_should():
    """The checker itself: a testcase with two failures (the old layout)
    and a suite without system-err are not strict Ant JUnit."""
    etree, schemas = _schemas()
    bad = etree.fromstring(
        b'<testsuites><testsuite name="a" package="p" id="0" tests="1" failures="2" errors="0" time="0" '
        b'timestamp="2026-01-01T00:00:00" hostname="h"><properties/><testcase name="a" classname="c" time="0">'
        b'<failure type="x"/><failure type="y"/></testcase><system-out/></testsuite></testsuites>')
    assert not schemas["ant"].validate(bad)


def test_junit_missing_tool_is_an_error_with_time(report):
    xml = render("junit", _with_commands(report))
    etree, _ = _schemas()
    suite = next(s for s in etree.fromstring(xml.encode()).iter("testsuite") if s.get("name") == FAIL_ID)
    case = suite.find("testcase")
    assert case.find("error") is not None and case.find("failure") is None
    assert case.find("error").get("type") == "infrastructure"
    assert suite.get("errors") == "1" and suite.get("failures") == "0"
    assert case.get("time") == "1.750"


def test_junit_counts_do_not_move_with_failures(report):
    etree, _ = _schemas()
    small = etree.fromstring(render("junit", report).encode())
    tests = [s.get("tests") for s in small.iter("testsuite")]
    assert set(tests) == {"1"} and len(tests) == len(report.packets) + 1


# --------------------------------------------------------------------------
# Concise output and the gate options
# --------------------------------------------------------------------------


def test_concise_is_one_line_per_finding_and_a_summary(report):
    text = render("concise", report, RenderOptions(statistics=True))
    lines = text.splitlines()
    findings = [f for r in report.packets for f in r.findings if not f.waived_by]
    for f in findings:
        assert f"{f.path}:{f.line}: [{f.severity.value}] {f.rule} " in text
    assert lines[-1].startswith(f"Found {sum(1 for f in findings if f.severity is Severity.ERROR)} error")
    assert lines[-1].endswith(report.verdict.value)
    counts = collections.Counter(f.rule for f in findings)
    rule, n = counts.most_common(1)[0]
    assert any(re.fullmatch(rf"\s*{n}\s+error\s+{rule}", line) for line in lines)


def _active_storage(tmp_path) -> Path:
    """The storage fixture with its packet still In Progress: on an old spec
    that is a FAIL (spec-stale), where the Done original is OUTDATED."""
    from conftest import copy_fixture

    repo = copy_fixture(STORAGE, tmp_path / "repo")
    packet = repo / ".GOV/task_packets/WP-1-Storage-Foundation.md"
    text = packet.read_text(encoding="utf-8")
    assert "Done [VALIDATED]" in text
    packet.write_text(text.replace("Done [VALIDATED]", "In Progress"), encoding="utf-8")
    return repo


def test_select_ignore_and_exit_zero(tmp_path):
    repo = _active_storage(tmp_path)
    base = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "concise")
    assert base.exit_code == 1 and "spec-stale" in base.stdout
    ignored = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "concise",
                      "--ignore", "spec-stale,task-board-mismatch")  # the board still says Done
    assert "spec-stale" not in ignored.stdout
    assert ignored.exit_code == 0
    selected = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "concise",
                       "--select", "spec-stale")
    assert [line.split("] ")[1].split()[0] for line in selected.stdout.splitlines()[:-1]] == ["spec-stale"]
    zero = run_cli("validate", "--all", "--repo", repo, "--no-run", "--format", "concise", "--exit-zero")
    assert zero.exit_code == 0 and "FAIL" in zero.stdout
    unknown = run_cli("validate", "--all", "--repo", repo, "--no-run", "--select", "no-such-rule")
    assert unknown.exit_code == 2 and "no-such-rule" in unknown.stderr


def test_config_file_option(tmp_path):
    cfg = tmp_path / "other.yaml"
    cfg.write_text("rules:\n  spec-stale: {severity: off}\n")
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "concise", "--config", cfg)
    assert "spec-stale" not in res.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  no-such-rule: {severity: off}\n")
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--config", bad)
    assert res.exit_code == 2 and "bad.yaml" in res.stderr


# --------------------------------------------------------------------------
# Baseline notes of partial runs
# --------------------------------------------------------------------------


def test_partial_runs_do_not_call_unevaluated_baseline_entries_fixed():
    from govcheck.engine.baseline import Baseline

    entries = {
        "a": {"rule": "test-plan-failed", "packet": FAIL_ID, "path": "x", "message": "command failed"},
        "b": {"rule": "spec-stale", "packet": FAIL_ID, "path": "x", "message": "stale (gone now)"},
        "c": {"rule": "task-board-mismatch", "packet": None, "path": "board",
              "message": "board lists WP-1-Other under Done but its Status is Ready"},
        "d": {"rule": "field-missing", "packet": "WP-1-Not-Validated", "path": "y", "message": "missing"},
        "e": {"rule": "spec-ref-conflict", "packet": FAIL_ID, "path": "x", "message": "conflict"},
    }
    known = Baseline(".govcheck-baseline.json", {fp: {"fingerprint": fp, **e} for fp, e in entries.items()})
    # a hook-like run: one packet, no commands, one rule ignored
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
        rep = validate(STORAGE, ValidateOptions(packet_ids=(FAIL_ID,), no_run=True, baseline=known,
                                                ignore=frozenset({"spec-ref-conflict"})))
    fixed = [n for n in rep.notes if n.startswith("Fixed since the baseline")]
    assert fixed == [f"Fixed since the baseline: spec-stale on {FAIL_ID}: stale (gone now)"]


# --------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------


class _Screen:
    """A stream whose terminal is ``columns`` wide (as os.get_terminal_size sees it)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        raise OSError("not a terminal")


def test_progress_width_comes_from_stderr_not_stdout(monkeypatch):
    import os

    from govcheck.util import progress

    monkeypatch.delenv("COLUMNS", raising=False)
    seen = []

    def fake_size(fd: int) -> os.terminal_size:
        seen.append(fd)
        return os.terminal_size((63, 20))

    monkeypatch.setattr(progress.os, "get_terminal_size", fake_size)

    class Err(_Screen):
        def fileno(self) -> int:
            return 2

    assert progress.terminal_width(Err()) == 63 and seen == [2]
    assert progress.terminal_width(_Screen()) == 80  # no terminal: 80, not stdout's 100


def test_progress_overall_line_counts_packets_and_estimates():
    from govcheck.util.progress import Progress

    p = Progress(_Screen(), live=False)
    p.event("plan", "", 0, 4, "")
    start = p.started
    for wp in ("WP-1-A", "WP-1-B"):
        p.event("start", wp, 1, 1, "make test")
        p.event("end", wp, 1, 1, "make test")
    p.event("start", "WP-1-C", 1, 2, "make a")
    p.event("end", "WP-1-C", 1, 2, "make a")  # not its last command: not done yet
    assert p.overall(start + 60) == "govcheck: 2/4 packets, 1m00s, about 1m00s left"


# --------------------------------------------------------------------------
# action.yml
# --------------------------------------------------------------------------


def _action() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _step(name: str) -> dict:
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_action_never_pastes_inputs_into_scripts():
    for step in _action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
        assert "${{ inputs." not in step.get("run", ""), step.get("name")
        assert "${{ github.event" not in step.get("run", ""), step.get("name")


def test_action_skips_sarif_upload_for_fork_pull_requests():
    cond = " ".join(_step("Upload SARIF")["if"].split())
    assert "github.event.pull_request.head.repo.full_name != github.repository" in cond
    assert cond.count("!(") == 1


def _run_gate(tmp_path: Path, env: dict[str, str], status: int = 0) -> tuple[list[str], str, str]:
    """Run the gate step's script with a stand-in govcheck that records its
    arguments; returns (arguments, verdict output, stderr)."""
    import os
    import subprocess
    import sys

    step = _step("Run govcheck ci")
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    argfile = tmp_path / "args"
    (bindir / "govcheck").write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done > {argfile}\nexit {status}\n')
    (bindir / "govcheck").chmod(0o755)
    (bindir / "python").symlink_to(sys.executable) if not (bindir / "python").exists() else None
    out = tmp_path / "output"
    out.write_text("")
    base_env = {name: "" for name in step["env"]}
    base_env.update({"INPUT_RUN_COMMANDS": "auto", "INPUT_MAX_ANNOTATIONS": "10", "REPOSITORY": "org/repo"})
    full = {"PATH": f"{bindir}:{os.environ['PATH']}", "GITHUB_OUTPUT": str(out), "HOME": str(tmp_path),
            **base_env, **env}
    res = subprocess.run(["bash", "-e", "-c", step["run"]], env=full, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == status, res.stderr
    return argfile.read_text().split("\0")[:-1], out.read_text().strip(), res.stderr


@pytest.mark.parametrize("event, env, base", [
    ("pull_request", {"PR_BASE_SHA": "abc123", "PR_HEAD_REPO": "org/repo"}, "abc123"),
    ("push", {"PUSH_BEFORE": "def456"}, "def456"),
    ("push", {"PUSH_BEFORE": "0" * 40}, None),  # a new branch: the default branch
    ("merge_group", {"MERGE_GROUP_BASE_SHA": "fed789"}, "fed789"),
    ("workflow_dispatch", {"INPUT_BASE": "origin/release"}, "origin/release"),
])
def test_action_maps_the_event_to_a_base(tmp_path, event, env, base):
    args, verdict, _ = _run_gate(tmp_path, {"EVENT_NAME": event, **env})
    if base is None:
        assert "--base" not in args
    else:
        assert args[args.index("--base") + 1] == base
    assert "--no-run" not in args and verdict == "verdict=PASS"


def test_action_does_not_run_commands_of_fork_pull_requests(tmp_path):
    fork = {"EVENT_NAME": "pull_request", "PR_BASE_SHA": "abc", "PR_HEAD_REPO": "someone/fork"}
    args, _, err = _run_gate(tmp_path, fork)
    assert "--no-run" in args and "untrusted" in err
    args, _, _ = _run_gate(tmp_path, {**fork, "INPUT_RUN_COMMANDS": "always"})
    assert "--no-run" not in args
    args, _, _ = _run_gate(tmp_path, {"EVENT_NAME": "pull_request_target", "PR_HEAD_REPO": "org/repo"})
    assert "--no-run" in args


def test_action_args_are_data_not_shell(tmp_path):
    marker = tmp_path / "pwned"
    args, _, _ = _run_gate(tmp_path, {"EVENT_NAME": "push", "PUSH_BEFORE": "abc",
                                      "INPUT_ARGS": f"--timeout 900 '--ignore' \"a b\" $(touch {marker}) ; touch {marker}"})
    assert not marker.exists()
    assert args[:3] == ["ci", "--base", "abc"]
    assert args[3:-8] == ["--timeout", "900", "--ignore", "a b", "$(touch", f"{marker})", ";", "touch", str(marker)]


@pytest.mark.parametrize("status, verdict", [(0, "PASS"), (1, "FAIL"), (2, "ERROR")])
def test_action_verdict_distinguishes_errors(tmp_path, status, verdict):
    _, out, _ = _run_gate(tmp_path, {"EVENT_NAME": "push", "PUSH_BEFORE": "abc"}, status)
    assert out == f"verdict={verdict}"


def test_documented_workflow_matches_the_action():
    # The README links the CI page, which holds the workflow examples.
    readme = (ROOT / "docs/ci.md").read_text(encoding="utf-8")
    assert "docs/ci.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "persist-credentials: false" in readme and "actions: read" in readme
    inputs = set(_action()["inputs"])
    for name in re.findall(r"^\s+([a-z-]+):", readme.split("uses: govcheck/govcheck@", 1)[1].split("```", 1)[0], re.M):
        assert name in inputs | {"with"}, name


def test_default_format_is_concise_for_several_packets_on_a_terminal(monkeypatch):
    import govcheck.cli as cli

    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    many = run_cli("validate", "--all", "--repo", STORAGE, "--no-run")
    assert many.stdout.splitlines()[-1].startswith("Found ") and "## VALIDATION REPORT" not in many.stdout
    one = run_cli("validate", FAIL_ID, "--repo", STORAGE, "--no-run")
    assert one.stdout.startswith(f"## VALIDATION REPORT \u2014 {FAIL_ID}")
    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: False)
    piped = run_cli("validate", "--all", "--repo", STORAGE, "--no-run")
    assert piped.stdout.startswith("# govcheck validation")  # a file or pipe keeps the Markdown report


def test_ci_in_a_monorepo_subfolder_with_gate_options(tmp_path):
    """ci on a governance repo in a subfolder of the git workspace:
    annotations name files from the workspace root; --ignore, --select,
    --statistics and --exit-zero work as for validate."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git not installed")
    from conftest import copy_fixture

    ws = tmp_path / "ws"
    gov = ws / "gov"
    copy_fixture(STORAGE, gov)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(ws), *args],
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "feature")
    packet = gov / ".GOV/task_packets/WP-1-Storage-Foundation.md"
    # reopened: In Progress on an old spec fails (Done would be OUTDATED)
    packet.write_text(packet.read_text().replace("Done [VALIDATED]", "In Progress") + "\nMore notes.\n")
    git("commit", "-qam", "edit")
    res = run_cli("ci", "--repo", gov, "--base", "main", "--no-run", "--format", "github")
    assert res.exit_code == 1
    assert "file=gov/.GOV/task_packets/WP-1-Storage-Foundation.md" in res.stdout
    res = run_cli("ci", "--repo", gov, "--base", "main", "--no-run", "--format", "concise", "--statistics",
                  "--ignore", "spec-stale", "--exit-zero")
    assert res.exit_code == 0 and "spec-stale" not in res.stdout
    res = run_cli("ci", "--repo", gov, "--base", "main", "--no-run", "--format", "concise", "--select", "spec-stale",
                  "--statistics")
    assert res.exit_code == 1 and res.stdout.count("] spec-stale ") == 1
    assert re.search(r"^\s*1\s+error\s+spec-stale$", res.stdout, re.M)


def test_statistics_go_to_stderr_for_other_formats():
    res = run_cli("validate", "--all", "--repo", STORAGE, "--no-run", "--format", "json", "--statistics")
    assert res.json()["verdict"] == "OUTDATED"  # stdout stays the report
    assert re.search(r"^\s*\d+\s+error\s+spec-stale$", res.stderr, re.M)
