"""govcheck.yaml / [tool.govcheck]: loading, validation, one-line errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT, STORAGE, copy_fixture

from govcheck.errors import ConfigError
from govcheck.model import Severity
from govcheck.repo.config import (
    Config,
    ConfigWaiver,
    Layout,
    RiskPolicy,
    RuleConfig,
    RunConfig,
    config_schema,
    default_config,
    load_config,
)

# Shaped like pipeline.open_repo's argument (RuleSpec.options_schema()) for
# one rule and like a bare "properties" dict for the others.
KNOWN = {
    "spec-stale": {
        "type": "object",
        "properties": {"unchanged_severity": {"enum": ["error", "warning", "info", "off"]}},
    },
    "forbidden-pattern": {"patterns": {"type": "array", "items": {"type": "string"}}},
    "non-ascii": {},
    "test-plan-failed": {},
}

FULL_YAML = """\
# every section
layout:
  packets: [.GOV/task_packets]
  spec_current: [docs/SPEC_CURRENT.md]
  spec_dirs: [docs/spec]
  task_board: [.GOV/TASK_BOARD.md]
  traceability_registry: [.GOV/registry.md]
  refinements: [.GOV/refinements]
  exclude: ["**/archive/**"]
rules:
  spec-stale: {severity: warning, unchanged_severity: info}
  forbidden-pattern: {patterns: ["unwrap\\\\(\\\\)"]}
  non-ascii: {severity: off}
run:
  timeout: 300
  allow: ["^cargo ", "^python3 "]
  env: {RUST_BACKTRACE: "1"}
  pass_env: [MY_TOKEN]
  log_cap: 1048576
  cache: false
policy:
  risk:
    HIGH: {required_rules: [test-plan-failed], warnings_fail: true, timeout: 900}
    LOW: {}
waivers:
  - {id: W-1, date: 2026-01-02, justification: "legacy text", rules: [non-ascii], packets: [WP-1-X], owner: ilja, expires: 2026-06-01}
  - id: W-2
    rules: [spec-stale]
baseline: .govcheck-baseline.json
"""


def write(repo: Path, text: str, name: str = "govcheck.yaml") -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text, encoding="utf-8")
    return repo


def config_error(repo: Path, known=KNOWN) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(repo, known)
    message = str(info.value)
    assert "\n" not in message, message
    return message


# -- defaults -----------------------------------------------------------------


def test_no_config_gives_defaults(tmp_path):
    cfg = load_config(tmp_path, KNOWN)
    assert cfg == default_config(tmp_path)
    assert cfg.profile.name == "generic"  # no reference layout here
    assert replace(cfg, profile=Config().profile) == Config()
    assert cfg.source is None and cfg.sha256 is None
    assert cfg.layout == Layout()
    assert cfg.run == RunConfig()
    assert cfg.run.timeout == 600 and cfg.run.allow is None and cfg.run.pass_env == ()
    assert cfg.run.log_cap == 10 * 1024 * 1024 and cfg.run.cache is True
    assert dict(cfg.run.env) == {}
    assert dict(cfg.rules) == {} and dict(cfg.risk_policy) == {}
    assert cfg.waivers == () and cfg.baseline is None


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_yaml_gives_defaults(tmp_path, text):
    cfg = load_config(write(tmp_path, text), KNOWN)
    assert cfg.source == "govcheck.yaml"
    assert cfg.layout == Layout() and cfg.run == RunConfig() and dict(cfg.rules) == {}


def test_pyproject_without_section_gives_defaults(tmp_path):
    write(tmp_path, "[project]\nname = 'x'\n", "pyproject.toml")
    assert load_config(tmp_path, KNOWN) == default_config(tmp_path)


# -- a full, valid file -------------------------------------------------------


def test_full_yaml_round_trip(tmp_path):
    import hashlib

    write(tmp_path, FULL_YAML)
    cfg = load_config(tmp_path, KNOWN)
    assert cfg.source == "govcheck.yaml"
    assert cfg.sha256 == hashlib.sha256(FULL_YAML.encode("utf-8")).hexdigest()
    assert cfg.layout == Layout(
        packets=(".GOV/task_packets",),
        spec_current=("docs/SPEC_CURRENT.md",),
        spec_dirs=("docs/spec",),
        task_board=(".GOV/TASK_BOARD.md",),
        traceability_registry=(".GOV/registry.md",),
        refinements=(".GOV/refinements",),
        exclude=("**/archive/**",),
    )
    assert cfg.rules["spec-stale"] == RuleConfig(Severity.WARNING, {"unchanged_severity": "info"})
    assert cfg.rules["forbidden-pattern"].severity is None
    assert cfg.rules["forbidden-pattern"].options["patterns"] == ("unwrap\\(\\)",)
    # YAML 1.1 would read `off` as false: it must stay the severity "off".
    assert cfg.rules["non-ascii"].severity is Severity.OFF
    assert cfg.run == RunConfig(
        timeout=300.0,
        allow=("^cargo ", "^python3 "),
        env={"RUST_BACKTRACE": "1"},
        pass_env=("MY_TOKEN",),
        log_cap=1048576,
        cache=False,
    )
    assert cfg.risk_policy["HIGH"] == RiskPolicy(required_rules=("test-plan-failed",), warnings_fail=True, timeout=900.0)
    assert cfg.risk_policy["LOW"] == RiskPolicy()
    assert set(cfg.risk_policy) == {"HIGH", "LOW"}
    assert cfg.baseline == ".govcheck-baseline.json"


def test_config_is_immutable(tmp_path):
    cfg = load_config(write(tmp_path, FULL_YAML), KNOWN)
    with pytest.raises(TypeError):
        cfg.rules["x"] = RuleConfig()  # type: ignore[index]
    with pytest.raises(TypeError):
        cfg.rule_options("spec-stale")["unchanged_severity"] = "error"  # type: ignore[index]
    with pytest.raises(AttributeError):
        cfg.baseline = "other"  # type: ignore[misc]


def test_waivers_parsed_with_dates_and_lines(tmp_path):
    cfg = load_config(write(tmp_path, FULL_YAML), KNOWN)
    w1, w2 = cfg.waivers
    assert w1 == ConfigWaiver(
        id="W-1",
        date="2026-01-02",
        justification="legacy text",
        rules=("non-ascii",),
        packets=("WP-1-X",),
        owner="ilja",
        expires="2026-06-01",
        line=FULL_YAML.splitlines().index(next(l for l in FULL_YAML.splitlines() if "id: W-1" in l)) + 1,
    )
    assert isinstance(w1.date, str) and isinstance(w1.expires, str)
    assert w2.id == "W-2" and w2.rules == ("spec-stale",) and w2.date is None and w2.packets == ()
    assert w2.line == w1.line + 1


def test_quoted_dates_are_kept(tmp_path):
    cfg = load_config(write(tmp_path, 'waivers:\n  - {id: W, date: "2026-01-02"}\n'), KNOWN)
    assert cfg.waivers[0].date == "2026-01-02"


def test_rule_severity_and_options(tmp_path):
    cfg = load_config(write(tmp_path, FULL_YAML), KNOWN)
    assert cfg.rule_severity("spec-stale", Severity.ERROR) is Severity.WARNING
    assert cfg.rule_severity("non-ascii", Severity.WARNING) is Severity.OFF
    # options only: the default stands
    assert cfg.rule_severity("forbidden-pattern", Severity.ERROR) is Severity.ERROR
    assert cfg.rule_severity("not-configured", Severity.INFO) is Severity.INFO
    assert dict(cfg.rule_options("spec-stale")) == {"unchanged_severity": "info"}
    assert "severity" not in cfg.rule_options("spec-stale")
    assert dict(cfg.rule_options("non-ascii")) == {}
    assert dict(cfg.rule_options("not-configured")) == {}
    assert dict(Config().rule_options("spec-stale")) == {}


def test_dot_govcheck_yaml_is_read(tmp_path):
    cfg = load_config(write(tmp_path, "baseline: b.json\n", ".govcheck.yaml"), KNOWN)
    assert cfg.source == ".govcheck.yaml" and cfg.baseline == "b.json"


def test_valid_rule_option(tmp_path):
    write(tmp_path, "rules:\n  forbidden-pattern:\n    patterns: ['dbg!', 'todo!']\n")
    cfg = load_config(tmp_path, KNOWN)
    assert cfg.rule_options("forbidden-pattern")["patterns"] == ("dbg!", "todo!")


def test_without_known_rules_any_rule_and_option_is_accepted(tmp_path):
    write(tmp_path, "rules:\n  my-rule: {severity: info, whatever: [1, 2]}\n")
    cfg = load_config(tmp_path)
    assert cfg.rule_severity("my-rule", Severity.ERROR) is Severity.INFO
    assert cfg.rule_options("my-rule")["whatever"] == (1, 2)


def test_yaml_wins_over_pyproject(tmp_path):
    write(tmp_path, "baseline: from-yaml.json\n")
    write(tmp_path, "[tool.govcheck]\nbaseline = 'from-pyproject.json'\n", "pyproject.toml")
    cfg = load_config(tmp_path, KNOWN)
    assert cfg.source == "govcheck.yaml" and cfg.baseline == "from-yaml.json"


# -- pyproject.toml -----------------------------------------------------------

PYPROJECT = """\
[project]
name = "demo"

[tool.govcheck]
baseline = ".baseline.json"

[tool.govcheck.layout]
packets = [".GOV/task_packets"]

[tool.govcheck.rules.spec-stale]
severity = "info"
unchanged_severity = "off"

[tool.govcheck.run]
timeout = 120
allow = ["^make "]

[tool.govcheck.policy.risk.MEDIUM]
warnings_fail = true

[[tool.govcheck.waivers]]
id = "W-9"
date = 2026-02-03
rules = ["non-ascii"]
"""


def test_pyproject_tool_govcheck(tmp_path):
    import hashlib

    write(tmp_path, PYPROJECT, "pyproject.toml")
    cfg = load_config(tmp_path, KNOWN)
    assert cfg.source == "pyproject.toml"
    assert cfg.sha256 == hashlib.sha256(PYPROJECT.encode()).hexdigest()
    assert cfg.baseline == ".baseline.json"
    assert cfg.layout.packets == (".GOV/task_packets",)
    assert cfg.rule_severity("spec-stale", Severity.ERROR) is Severity.INFO
    assert dict(cfg.rule_options("spec-stale")) == {"unchanged_severity": "off"}
    assert cfg.run.timeout == 120.0 and cfg.run.allow == ("^make ",)
    assert cfg.risk_policy["MEDIUM"].warnings_fail is True
    (waiver,) = cfg.waivers
    assert waiver.id == "W-9" and waiver.date == "2026-02-03" and waiver.rules == ("non-ascii",)


def test_pyproject_error_names_the_table_and_path(tmp_path):
    write(tmp_path, "[tool.govcheck.rules.spec-stale]\nseverity = 'loud'\n", "pyproject.toml")
    message = config_error(tmp_path)
    assert message.startswith("pyproject.toml: [tool.govcheck] rules.spec-stale.severity: 'loud' is not one of")


def test_pyproject_unknown_rule(tmp_path):
    write(tmp_path, "[tool.govcheck.rules.non-asci]\nseverity = 'off'\n", "pyproject.toml")
    message = config_error(tmp_path)
    assert message.startswith("pyproject.toml: [tool.govcheck] rules.non-asci: unknown rule 'non-asci'")
    assert "'non-ascii'" in message


def test_pyproject_section_must_be_a_table(tmp_path):
    write(tmp_path, "[tool]\ngovcheck = 3\n", "pyproject.toml")
    assert "must be a table" in config_error(tmp_path)


def test_broken_pyproject_with_our_section_is_an_error(tmp_path):
    write(tmp_path, "[tool.govcheck\nbaseline = 1\n", "pyproject.toml")
    assert config_error(tmp_path).startswith("pyproject.toml: cannot be parsed")


def test_broken_pyproject_without_our_section_is_ignored(tmp_path):
    write(tmp_path, "[project\nname = 1\n", "pyproject.toml")
    assert load_config(tmp_path, KNOWN) == default_config(tmp_path)


# -- errors: one line, file:line ----------------------------------------------


def test_unknown_top_level_key_with_line(tmp_path):
    write(tmp_path, "baseline: b.json\n\nlayuot:\n  packets: [x]\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: layuot: unknown top-level key 'layuot'")
    assert "did you mean 'layout'" in message


def test_cache_dir_is_refused_not_silently_ignored(tmp_path):
    """It used to be validated and then ignored; caches live in the state
    folder (--state-dir), so the key is an error naming itself."""
    write(tmp_path, "cache_dir: .cache/govcheck\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:1: cache_dir: unknown top-level key 'cache_dir'")


def test_unknown_nested_key_with_line(tmp_path):
    write(tmp_path, "run:\n  timeout: 5\n  timout: 6\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: run.timout: unknown key 'timout'")
    assert "'timeout'" in message


def test_unknown_rule_with_suggestion(tmp_path):
    write(tmp_path, "rules:\n  non-ascii: {severity: info}\n  spec-stal:\n    severity: warning\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: rules.spec-stal: unknown rule 'spec-stal'")
    assert "did you mean 'spec-stale'" in message


def test_unknown_rule_without_close_match(tmp_path):
    write(tmp_path, "rules:\n  zzzzzz: {severity: info}\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:2: rules.zzzzzz: unknown rule 'zzzzzz'")
    assert "did you mean" not in message


def test_bad_severity(tmp_path):
    write(tmp_path, "rules:\n  spec-stale:\n    severity: warn\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: rules.spec-stale.severity: 'warn' is not one of error, warning, info, off")
    assert "did you mean 'warning'" in message


def test_unknown_rule_option(tmp_path):
    write(tmp_path, "rules:\n  spec-stale:\n    severity: info\n    unchanged: info\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:4: rules.spec-stale.unchanged: rule 'spec-stale' has no option 'unchanged'")
    assert "'unchanged_severity'" in message


def test_option_on_rule_without_options(tmp_path):
    write(tmp_path, "rules:\n  non-ascii:\n    patterns: [x]\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: rules.non-ascii.patterns: rule 'non-ascii' has no option 'patterns'")
    assert "allowed: all_eras, enabled, severity" in message


def test_bad_rule_option_value(tmp_path):
    write(tmp_path, "rules:\n  spec-stale:\n    unchanged_severity: quiet\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:3: rules.spec-stale.unchanged_severity: 'quiet' is not one of")


def test_wrong_type_with_line(tmp_path):
    write(tmp_path, "run:\n  cache: true\n  timeout: soon\n")
    message = config_error(tmp_path)
    assert message == "govcheck.yaml:3: run.timeout: must be a number, got a string"


def test_list_item_error_points_at_the_item(tmp_path):
    write(tmp_path, "layout:\n  packets:\n    - a\n    - 7\n")
    assert config_error(tmp_path) == "govcheck.yaml:4: layout.packets[1]: must be a string, got an integer"


def test_bad_risk_tier(tmp_path):
    write(tmp_path, "policy:\n  risk:\n    CRITICAL: {warnings_fail: true}\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: policy.risk.CRITICAL: unknown key 'CRITICAL'")
    assert "HIGH" in message


def test_required_rules_must_exist(tmp_path):
    write(tmp_path, "policy:\n  risk:\n    HIGH:\n      required_rules: [test-plan-faild]\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:4: policy.risk.HIGH.required_rules[0]: unknown rule 'test-plan-faild'")
    assert "'test-plan-failed'" in message


def test_malformed_yaml_reports_parser_line(tmp_path):
    write(tmp_path, "run:\n  timeout: 5\n  allow: [\"^a\"\n  cache: true\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:4: invalid YAML:")


def test_malformed_yaml_bad_indentation(tmp_path):
    write(tmp_path, "layout:\n  packets: [a]\n bad: 1\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:3: invalid YAML:")


def test_duplicate_key_is_an_error(tmp_path):
    write(tmp_path, "baseline: a\nrun: {}\nbaseline: b\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: invalid YAML: duplicate key 'baseline'")


def test_not_utf8(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "govcheck.yaml").write_bytes(b"baseline: a\nowner: \xff\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:2: not valid UTF-8")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path, text):
    write(tmp_path, text)
    assert config_error(tmp_path).startswith("govcheck.yaml:1: the top level must be a mapping")


def test_bad_regex_in_run_allow(tmp_path):
    write(tmp_path, "run:\n  allow:\n    - '^cargo '\n    - '(unclosed'\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:4: run.allow[1]: '(unclosed' is not a valid regular expression")


def test_bad_env_name(tmp_path):
    write(tmp_path, "run:\n  env:\n    OK: a\n    1BAD: b\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:4: run.env.1BAD: '1BAD' is not a valid environment variable name")


def test_timeout_must_be_positive(tmp_path):
    write(tmp_path, "run: {timeout: 0}\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:1: run.timeout: must be greater than 0")


def test_waiver_needs_an_id(tmp_path):
    write(tmp_path, "waivers:\n  - {id: W-1}\n  - rules: [non-ascii]\n")
    assert config_error(tmp_path) == "govcheck.yaml:3: waivers[1]: missing required key 'id'"


def test_waiver_bad_date(tmp_path):
    write(tmp_path, "waivers:\n  - id: W-1\n    date: 2026-13-01\n")
    assert config_error(tmp_path) == "govcheck.yaml:3: waivers[0].date: '2026-13-01' is not a real date"


def test_waiver_date_shape(tmp_path):
    write(tmp_path, "waivers:\n  - id: W-1\n    expires: next week\n")
    assert config_error(tmp_path) == "govcheck.yaml:3: waivers[0].expires: 'next week' is not a date (YYYY-MM-DD)"


def test_waiver_expires_before_date(tmp_path):
    write(tmp_path, "waivers:\n  - {id: W-1, date: 2026-05-01, expires: 2026-04-01}\n")
    assert "is before the waiver's date" in config_error(tmp_path)


def test_duplicate_waiver_ids(tmp_path):
    write(tmp_path, "waivers:\n  - {id: W-1}\n  - {id: W-1}\n")
    assert config_error(tmp_path).startswith("govcheck.yaml:3: waivers[1].id: duplicate waiver id 'W-1'")


def test_waiver_rules_must_exist(tmp_path):
    write(tmp_path, "waivers:\n  - id: W-1\n    rules: [non-asci]\n")
    message = config_error(tmp_path)
    assert message.startswith("govcheck.yaml:3: waivers[0].rules[0]: unknown rule 'non-asci'")
    assert "'non-ascii'" in message


def test_error_names_dot_govcheck_yaml(tmp_path):
    write(tmp_path, "nope: 1\n", ".govcheck.yaml")
    assert config_error(tmp_path).startswith(".govcheck.yaml:1: nope: unknown top-level key")


# -- the schema ---------------------------------------------------------------


def test_committed_schema_is_valid_and_accepts_the_full_example():
    import yaml

    schema = json.loads((ROOT / "schemas/config.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = yaml.safe_load(FULL_YAML)
    # PyYAML (YAML 1.1) reads dates as dates and `off` as False; the loader does not.
    for waiver in doc["waivers"]:
        for key in ("date", "expires"):
            if key in waiver:
                waiver[key] = waiver[key].isoformat()
    doc["rules"]["non-ascii"]["severity"] = "off"
    jsonschema.validate(doc, schema)
    jsonschema.validate(doc, config_schema(KNOWN))


def test_dynamic_schema_is_valid_json_schema():
    from govcheck.rules import all_rules

    known = {rid: spec.options_schema() for rid, spec in all_rules().items()}
    schema = config_schema(known)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]["rules"]["properties"]) == set(known)
    assert schema["properties"]["rules"]["additionalProperties"] is False


# -- through the CLI ----------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    copy_fixture(STORAGE, dest)
    return dest


def invoke(repo: Path, *extra: str):
    from govcheck.cli import main

    runner = CliRunner()
    return runner.invoke(main, ["validate", "--all", "--repo", str(repo), "--no-run", *extra])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rules:\n  spec-stal:\n    severity: warning\n", "govcheck: govcheck.yaml:2: rules.spec-stal: unknown rule 'spec-stal'"),
        ("rules:\n  spec-stale:\n    severity: loud\n", "govcheck: govcheck.yaml:3: rules.spec-stale.severity:"),
        ("rules:\n  spec-stale:\n    nope: 1\n", "govcheck: govcheck.yaml:3: rules.spec-stale.nope: rule 'spec-stale' has no option"),
        ("run:\n  allow: ['[x']\n", "govcheck: govcheck.yaml:2: run.allow[0]:"),
        ("layout: [\n", "govcheck: govcheck.yaml:2: invalid YAML:"),
    ],
)
def test_cli_bad_config_exits_2_with_one_line(repo, text, expected):
    write(repo, text)
    res = invoke(repo)
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("govcheck: govcheck.yaml:")
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in res.stderr


def test_cli_valid_config_is_applied(repo):
    before = invoke(repo, "--format", "json")
    stale = [f for p in json.loads(before.stdout)["packets"] for f in p["findings"] if f["rule"] == "spec-stale"]
    assert stale, "the fixture is expected to have spec-stale findings"

    write(repo, "rules:\n  spec-stale:\n    severity: off\n")
    after = invoke(repo, "--format", "json")
    assert after.exit_code in (0, 1), after.output
    doc = json.loads(after.stdout)
    assert not [f for p in doc["packets"] for f in p["findings"] if f["rule"] == "spec-stale"]
    import hashlib

    expected = hashlib.sha256((repo / "govcheck.yaml").read_bytes()).hexdigest()
    assert doc["receipt"]["config_sha256"] == expected
