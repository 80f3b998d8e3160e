"""The CI report formats: JUnit XML, SARIF 2.1.0 and GitHub workflow
commands, built from the real pipeline on the storage-foundation fixture
(with WP-1-Storage-Foundation reopened, so that it fails on spec-stale:
the Done original is OUTDATED)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import reopened_storage

from govcheck.engine.validate import ValidateOptions, validate
from govcheck.model import Finding, Report, Severity, Verdict
from govcheck.report import FORMATS, junit, renderer, sarif
from govcheck.report import github as gh
from govcheck.rules import all_rules

FAIL_ID = "WP-1-Storage-Foundation"
PASS_ID = "WP-1-Job-Queue-v2"
# The official OASIS SARIF 2.1.0 schema (draft-07), kept verbatim.
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
EPOCH = "1700000000"


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> Path:
    return reopened_storage(tmp_path_factory.mktemp("formats") / "repo")


def _validate(repo: Path) -> Report:
    return validate(repo, ValidateOptions(all_packets=True, no_run=True))


@pytest.fixture(scope="module")
def report(storage: Path) -> Report:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return _validate(storage)


def _packet(report: Report, wp_id: str):
    return next(r for r in report.packets if r.packet.id == wp_id)


@pytest.fixture(scope="module")
def tricky_report(report: Report) -> Report:
    """The fixture report plus findings whose text needs escaping, a waived
    error, an info finding and a repository finding."""
    failing = _packet(report, FAIL_ID)
    path = failing.packet.path
    extra = (
        Finding(
            rule="spec-ref-conflict",
            severity=Severity.WARNING,
            message='50% done\nnext, "quoted" <tag> & more\r\x01\x1b end',
            path=path,
            line=7,
            packet_id=FAIL_ID,
        ),
        Finding(
            rule="done-means-vague",
            severity=Severity.ERROR,
            message="waived criterion 12",
            path=path,
            line=0,
            packet_id=FAIL_ID,
            waived_by="W-7",
        ),
        Finding(
            rule="packet-superseded",
            severity=Severity.INFO,
            message="flat file superseded",
            path="odd dir/a,b:c.md",
            line=2,
            packet_id=FAIL_ID,
        ),
    )
    packets = tuple(
        dataclasses.replace(r, findings=r.findings + extra) if r.packet.id == FAIL_ID else r for r in report.packets
    )
    repo_finding = Finding(
        rule="spec-current-not-latest",
        severity=Severity.ERROR,
        message="repo holds Handshake_Master_Spec_v02.94.md",
        path="Handshake_Master_Spec_v02.94.md",
        line=None,
    )
    return dataclasses.replace(report, packets=packets, repo_findings=(repo_finding,))


# --------------------------------------------------------------------------
# Registration and determinism
# --------------------------------------------------------------------------


def test_formats_are_registered():
    for fmt, module in (("junit", junit), ("sarif", sarif), ("github", gh)):
        assert fmt in FORMATS
        assert renderer(fmt) is module.render


@pytest.mark.parametrize("fmt", ["junit", "sarif", "github"])
def test_output_is_deterministic(fmt, monkeypatch, storage):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = renderer(fmt)(_validate(storage))
    second = renderer(fmt)(_validate(storage))
    assert first == second
    assert first.encode("utf-8") == second.encode("utf-8")
    assert first.endswith("\n")


@pytest.mark.parametrize("fmt", ["junit", "sarif", "github"])
def test_tricky_report_is_deterministic(fmt, tricky_report):
    assert renderer(fmt)(tricky_report) == renderer(fmt)(tricky_report)


# --------------------------------------------------------------------------
# JUnit
# --------------------------------------------------------------------------


def _suites(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    return {s.get("name"): s for s in root.findall("testsuite")}


def test_junit_one_suite_and_one_testcase_per_packet(report):
    xml = junit.render(report)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suites = _suites(xml)
    # The repository suite is always there, so counts never depend on findings.
    assert set(suites) == {r.packet.id for r in report.packets} | {"repository"}
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert len(cases) == 1 and suite.get("tests") == "1"
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
        assert cases[0].get("time") is not None and suite.get("time") is not None


def test_junit_failing_packet_fails_with_file_and_line(report):
    suite = _suites(junit.render(report))[FAIL_ID]
    assert suite.get("failures") == "1"
    (case,) = suite.findall("testcase")
    assert case.get("name") == FAIL_ID
    failure = case.find("failure")
    assert re.search(r"WP-1-Storage-Foundation\.md:\d+: \[spec-stale\] packet is anchored to v02\.90", failure.text)
    props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    first = min((f for f in _packet(report, FAIL_ID).findings if f.severity is Severity.ERROR and not f.waived_by),
                key=Finding.sort_key)
    assert props["file"] == first.path and props["line"] == str(first.line)
    assert props["verdict"] == "FAIL"


def test_junit_passing_packet_has_no_failures(report):
    suite = _suites(junit.render(report))[PASS_ID]
    assert suite.get("failures") == "0"
    assert suite.findall(".//failure") == [] and suite.findall(".//error") == []


def test_junit_suite_carries_command_evidence(report):
    result = _packet(report, PASS_ID)
    assert result.commands, "fixture packet should have a TEST_PLAN command"
    suite = _suites(junit.render(report))[PASS_ID]
    out = suite.find("system-out").text
    for c in result.commands:
        assert c.command in out
        assert f"status: {c.status}" in out
    for label in ("exit code:", "log:", "log sha256:", "proof lines"):
        assert label in out


def test_junit_escapes_and_strips_illegal_characters(tricky_report):
    xml = junit.render(tricky_report)
    assert "\x01" not in xml and "\x1b" not in xml
    suites = _suites(xml)  # parses: escaping is right
    assert list(suites)[0] == "repository"
    repo_case = suites["repository"].find("testcase")
    assert repo_case.find("failure") is not None
    assert "[spec-current-not-latest]" in repo_case.find("failure").text

    suite = suites[FAIL_ID]
    failure_text = suite.find("testcase/failure").text
    text = suite.find("system-out").text
    # warnings, info and waived errors do not fail: they are listed in system-out
    assert "spec-ref-conflict" not in failure_text and "done-means-vague" not in failure_text
    assert '50% done\nnext, "quoted" <tag> & more' in text
    assert "waived by W-7" in text
    assert "packet-superseded" in text


# --------------------------------------------------------------------------
# SARIF
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def _assert_valid(validator, doc):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_sarif_validates_against_official_schema(report, tricky_report, sarif_validator):
    for rep in (report, tricky_report):
        text = sarif.render(rep)
        assert text.endswith("}\n")
        _assert_valid(sarif_validator, json.loads(text))


def test_sarif_run_shape(report):
    doc = json.loads(sarif.render(report))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "govcheck"
    assert driver["version"] == report.tool_version
    assert driver["informationUri"] == "https://github.com/govcheck/govcheck"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(all_rules())
    stale = driver["rules"][ids.index("spec-stale")]
    assert stale["name"] == "SpecStale"
    assert stale["defaultConfiguration"]["level"] == "error"
    assert stale["properties"]["codex"] == "CX-573B"
    assert stale["shortDescription"]["text"] == all_rules()["spec-stale"].summary
    assert stale["help"]["text"] == all_rules()["spec-stale"].explanation
    assert stale["help"]["markdown"] and stale["fullDescription"]["text"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels["done-means-vague"] == "warning"
    assert levels["packet-superseded"] == "note"
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file://") and root.endswith("/")
    assert root == Path(report.repo).as_uri() + "/"


def test_sarif_results(report):
    run = json.loads(sarif.render(report))["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    total = sum(len(r.findings) for r in report.packets) + len(report.repo_findings)
    assert len(results) == total
    for res in results:
        assert res["ruleId"] in ids
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note", "none"}
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{64}", res["partialFingerprints"]["govcheck/v1"])
        assert "suppressions" not in res
    stale = [r for r in results if r["ruleId"] == "spec-stale"]
    assert len(stale) == 1
    finding = next(f for f in _packet(report, FAIL_ID).findings if f.rule == "spec-stale")
    assert stale[0]["level"] == "error"
    loc = stale[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == finding.path == ".GOV/task_packets/WP-1-Storage-Foundation.md"
    assert loc["region"]["startLine"] == finding.line
    key = "\n".join(("spec-stale", FAIL_ID, re.sub(r"\d", "", finding.message)))
    assert stale[0]["partialFingerprints"]["govcheck/v1"] == hashlib.sha256(key.encode()).hexdigest()


def test_sarif_waived_levels_and_odd_paths(tricky_report):
    results = json.loads(sarif.render(tricky_report))["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    waived = by_rule["done-means-vague"]
    assert waived["suppressions"] == [{"kind": "inSource", "justification": "waived by W-7"}]
    assert waived["locations"][0]["physicalLocation"]["region"]["startLine"] == 1  # line 0 -> 1
    assert by_rule["spec-ref-conflict"]["level"] == "warning"
    assert by_rule["spec-ref-conflict"]["message"]["text"].startswith("50% done\nnext")
    info = by_rule["packet-superseded"]
    assert info["level"] == "note"
    assert info["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "odd%20dir/a%2Cb%3Ac.md"
    repo = by_rule["spec-current-not-latest"]
    assert results[0] is repo  # repository findings come first
    assert repo["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert "packet" not in repo.get("properties", {})


def test_sarif_fingerprint_ignores_digits():
    a = Finding(rule="spec-stale", severity=Severity.ERROR, message="anchored to v02.90", packet_id="WP-1")
    b = a.with_(message="anchored to v02.91", line=99)
    c = a.with_(packet_id="WP-2")
    assert sarif.fingerprint(a) == sarif.fingerprint(b)
    assert sarif.fingerprint(a) != sarif.fingerprint(c)


# --------------------------------------------------------------------------
# GitHub workflow commands
# --------------------------------------------------------------------------


def test_github_annotations(report):
    lines = gh.render(report).splitlines()
    errors = [f for r in report.packets for f in r.findings if f.severity is Severity.ERROR and not f.waived_by]
    annotations, summary = lines[:-1], lines[-1]
    assert len(annotations) == len(errors) >= 1
    for line in annotations:
        assert line.startswith("::error ")
        props = line.split("::")[1]
        assert "file=" in props and "line=" in props and "title=" in props
    stale = next(line for line in annotations if "title=spec-stale" in line)
    finding = next(f for f in errors if f.rule == "spec-stale")
    assert stale == (
        f"::error file={finding.path},line={finding.line},title=spec-stale::{gh.escape_data(finding.message)}"
    )
    assert summary == f"govcheck: FAIL (2 packets, {len(errors)} errors, 0 warnings)"
    assert report.verdict is Verdict.FAIL


def test_github_escaping(tricky_report):
    lines = gh.render(tricky_report).splitlines()
    warn = next(line for line in lines if line.startswith("::warning "))
    assert warn.endswith('::50%25 done%0Anext, "quoted" <tag> & more%0D\x01\x1b end')
    notice = next(line for line in lines if line.startswith("::notice "))
    assert notice == "::notice file=odd dir/a%2Cb%3Ac.md,line=2,title=packet-superseded::flat file superseded"
    assert not any("W-7" in line or "waived criterion" in line for line in lines)  # waived: no annotation
    repo = lines[0]
    assert repo == (
        "::error file=Handshake_Master_Spec_v02.94.md,title=spec-current-not-latest::"
        "repo holds Handshake_Master_Spec_v02.94.md"
    )
    assert len(lines) == len(set(lines)) and all("\n" not in line for line in lines)
    # spec-stale and the repository error; the waived error does not count
    assert lines[-1] == "govcheck: FAIL (2 packets, 2 errors, 1 warnings)"


def test_github_escape_helpers():
    assert gh.escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert gh.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
