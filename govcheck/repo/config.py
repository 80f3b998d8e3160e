"""Configuration: ``govcheck.yaml`` / ``.govcheck.yaml`` or ``[tool.govcheck]``.

Where it comes from (first found wins, no merging):

1. ``govcheck.yaml`` at the repo root, else ``.govcheck.yaml``;
2. the ``[tool.govcheck]`` table of ``pyproject.toml`` at the repo root;
3. nothing: the defaults (``Config()``).

The document is checked against ``schemas/config.schema.json``; the
``rules`` part of that schema is rebuilt at load time from the registered
rules so ``rules.<id>`` allows ``severity`` plus exactly that rule's options.
A few things JSON Schema cannot say are checked in code: ``run.allow`` items
must compile as Python regular expressions, dates must be real calendar
dates, waiver ids are unique, and rule ids named in ``policy`` and
``waivers`` must exist.

Every problem is a :class:`~govcheck.errors.ConfigError` carrying one line,
``govcheck.yaml:LINE: <where>: <what>`` (``pyproject.toml: [tool.govcheck]
<where>: <what>`` for pyproject), which the CLI prints and exits 2 on.

YAML is read the YAML 1.2 way for booleans: only ``true``/``false`` are
booleans, so ``severity: off`` means the string ``off`` (PyYAML's YAML 1.1
default would read it as ``False``). Dates (``2026-01-02``) are kept as ISO
strings.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import errno
import functools
import hashlib
import json
import math
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from govcheck.errors import ConfigError
from govcheck.model import Severity
from govcheck.model.profile import Profile
from govcheck.repo.git import Git
from govcheck.repo.profiles import build_profile, detect_profile
from govcheck.util.schemas import load_schema

if TYPE_CHECKING:  # imported when validating: it costs ~0.2 s
    import jsonschema

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

YAML_NAMES = ("govcheck.yaml", ".govcheck.yaml")
PYPROJECT = "pyproject.toml"

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen_map(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Configured locations (repo-relative); empty = use the built-in layouts."""

    packets: tuple[str, ...] = ()
    spec_current: tuple[str, ...] = ()
    spec_dirs: tuple[str, ...] = ()
    task_board: tuple[str, ...] = ()
    traceability_registry: tuple[str, ...] = ()
    refinements: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunConfig:
    """How TEST_PLAN commands are run (see govcheck.run.runner.RunPolicy)."""

    timeout: float = 600
    allow: tuple[str, ...] | None = None
    env: Mapping[str, str] = field(default_factory=_frozen_map)
    pass_env: tuple[str, ...] = ()
    log_cap: int = 10 * 1024 * 1024
    cache: bool = True
    isolation: str = "auto"  # auto | bwrap | unshare | none (run/isolation.py)


@dataclass(frozen=True)
class RuleConfig:
    """``rules.<id>``: a severity override (None = the rule's default) and options."""

    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=_frozen_map)
    all_eras: bool = False  # apply the rule to packets written before it came in
    enabled: bool | None = None  # on/off whatever the profile runs; None = the profile decides


@dataclass(frozen=True)
class RiskPolicy:
    """``policy.risk.<TIER>``: stricter handling for packets of one risk tier."""

    required_rules: tuple[str, ...] = ()
    warnings_fail: bool = False
    timeout: float | None = None


@dataclass(frozen=True)
class ConfigWaiver:
    """One entry of ``waivers``. ``line`` is its line in govcheck.yaml (0 when unknown)."""

    id: str
    date: str | None = None
    justification: str | None = None
    rules: tuple[str, ...] = ()
    packets: tuple[str, ...] = ()
    owner: str | None = None
    expires: str | None = None
    line: int = 0


@dataclass(frozen=True)
class CiConfig:
    """``ci``: what the gate lets a change do to the gate itself."""

    allow_config_changes: bool = False


@dataclass(frozen=True)
class Config:
    source: str | None = None  # repo-relative path of the file read
    sha256: str | None = None  # of that file's bytes
    layout: Layout = Layout()
    rules: Mapping[str, RuleConfig] = field(default_factory=_frozen_map)
    run: RunConfig = RunConfig()
    risk_policy: Mapping[str, RiskPolicy] = field(default_factory=_frozen_map)
    waivers: tuple[ConfigWaiver, ...] = ()
    baseline: str | None = None
    fail_on: str = "fail"  # "fail" | "outdated": which verdicts fail the gate
    ci: CiConfig = CiConfig()
    profile: Profile = Profile()

    @property
    def spec_current_latest(self) -> bool:
        """``layout.spec_current: latest``: no pointer file, the newest spec is current."""
        return self.layout.spec_current == ("latest",)

    def rule_severity(self, rule_id: str, default: Severity) -> Severity:
        """The configured severity of a rule, else ``default``."""
        configured = self.rules.get(rule_id)
        if configured is None or configured.severity is None:
            return default
        return configured.severity

    def rule_options(self, rule_id: str) -> Mapping[str, Any]:
        """The configured options of a rule (never includes ``severity``)."""
        configured = self.rules.get(rule_id)
        return configured.options if configured is not None else _EMPTY


# --------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------


class _LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}


class _LineList(list):
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


# PyYAML is imported when a config file is read (most repos have none):
# ~15 ms of a cold run's start otherwise, where nothing runs in parallel.
@functools.cache
def _yaml_loader() -> type:
    """The SafeLoader subclass configs are read with: lines recorded, YAML
    1.2 booleans, dates as ISO strings."""
    import yaml  # here, not at the top: see above

    class _Loader(yaml.SafeLoader):
        pass

    # YAML 1.1 reads yes/no/on/off as booleans: `severity: off` would be False.
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    _Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    _Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    return _Loader


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: Any, node: Any) -> _LineDict:
    import yaml  # loaded already: the loader calling this is _yaml_loader's

    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)
    merged = len(node.value) - own  # pairs pulled in by `<<:` come first
    data = _LineDict()
    data.line = node.start_mark.line + 1
    own_keys: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if index >= merged:
            if key in own_keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            own_keys.add(key)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = key_node.start_mark.line + 1
    return data


def _construct_sequence(loader: Any, node: Any) -> _LineList:
    data = _LineList()
    data.line = node.start_mark.line + 1
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(item.start_mark.line + 1)
    return data


def _construct_timestamp(loader: Any, node: Any) -> str:
    import yaml  # loaded already: the loader calling this is _yaml_loader's

    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:  # looks like a date but is none (2026-13-01): checked later
        return str(node.value)
    return value.isoformat()


# --------------------------------------------------------------------------
# Where an error is, how it is said
# --------------------------------------------------------------------------


class _Source:
    """The file being read: names error locations in its own style."""

    def __init__(self, name: str, yaml_file: bool) -> None:
        self.name = name
        self.yaml_file = yaml_file

    def error(self, path: Sequence[Any], message: str, line: int | None = None) -> ConfigError:
        where = _fmt_path(path)
        if self.yaml_file:
            text = f"{self.name}:{line or 1}: {where + ': ' if where else ''}{message}"
        else:
            at = f" (line {line})" if line else ""
            text = f"{self.name}: [tool.govcheck]{' ' + where if where else ''}{at}: {message}"
        return ConfigError(" ".join(text.splitlines()))  # always one line


def _fmt_path(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(doc: Any, path: Sequence[Any]) -> int | None:
    """Line of the deepest key/item along ``path`` that carries one."""
    line = getattr(doc, "line", None)
    node = doc
    for part in path:
        lines = getattr(node, "lines", None)
        if lines is None:
            break
        try:
            line = lines[part]
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _suggest(word: Any, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), sorted(choices), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _describe(error: "jsonschema.ValidationError") -> tuple[list[Any], str]:
    """(path of the offending key or value, message) for one schema error."""
    path = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    if "propertyNames" in error.absolute_schema_path:
        # The instance is the offending key itself.
        return path + [value], f"{value!r} is not a valid environment variable name"
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted((k for k in value if k not in allowed), key=str)
        key = extras[0]
        if path == ["rules"]:
            return path + [key], f"unknown rule '{key}'{_suggest(key, allowed)}"
        if len(path) == 2 and path[0] == "rules":
            return path + [key], (
                f"rule '{path[1]}' has no option '{key}'{_suggest(key, allowed)}; "
                f"allowed: {', '.join(allowed)}"
            )
        where = "top-level key" if not path else "key"
        return path + [key], f"unknown {where} '{key}'{_suggest(key, allowed)}; allowed: {', '.join(allowed)}"
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        return path, f"missing required key '{missing[0] if missing else error.validator_value[0]}'"
    if kind == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        if not path:
            return path, f"the top level must be {names} (key: value), got {_kind(value)}"
        return path, f"must be {names}, got {_kind(value)}"
    if kind == "enum":
        choices = [str(c) for c in error.validator_value]
        hint = _suggest(value, choices) if isinstance(value, str) else ""
        return path, f"{value!r} is not one of {', '.join(choices)}{hint}"
    if kind == "pattern" and schema.get("format") == "date":
        return path, f"{value!r} is not a date (YYYY-MM-DD)"
    if kind == "pattern" and "A-Za-z_" in str(error.validator_value):
        return path, f"{value!r} is not a valid environment variable name"
    if kind == "minLength":
        return path, "must not be empty"
    if kind == "exclusiveMinimum":
        return path, f"must be greater than {error.validator_value}, got {value!r}"
    if kind == "minimum":
        return path, f"must be at least {error.validator_value}, got {value!r}"
    return path, error.message


# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------


def _option_properties(entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """Accept either a JSON-Schema "properties" dict or a whole object schema
    (``RuleSpec.options_schema()`` returns ``{"type": "object", "properties": ...}``)."""
    if not entry:
        return {}
    if entry.get("type") == "object" and isinstance(entry.get("properties"), Mapping):
        return dict(entry["properties"])
    return dict(entry)


def config_schema(known_rules: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The config schema; with ``known_rules`` the ``rules`` part names exactly
    those rules and, per rule, ``severity`` plus its option properties."""
    schema = copy.deepcopy(load_schema("config"))
    if known_rules is not None:
        rules: dict[str, Any] = {}
        for rule_id, entry in sorted(known_rules.items()):
            props = _option_properties(entry)
            props["severity"] = {"$ref": "#/$defs/severity"}
            props["all_eras"] = {"$ref": "#/$defs/all_eras"}
            props["enabled"] = {"type": "boolean"}
            rules[rule_id] = {"type": "object", "additionalProperties": False, "properties": props}
        schema["properties"]["rules"] = {
            "type": "object",
            "additionalProperties": False,
            "properties": rules,
        }
    return schema


def _first_error(doc: Any, schema: Mapping[str, Any]) -> tuple[list[Any], str, int | None] | None:
    import jsonschema  # only when there is a config to check (it costs ~40 ms to import)

    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for error in validator.iter_errors(doc):
        path, message = _describe(error)
        found.append((path, message, _line_of(doc, path)))
    if not found:
        return None
    found.sort(key=lambda f: (f[2] or 0, _fmt_path(f[0]), f[1]))
    return found[0]


# --------------------------------------------------------------------------
# Checks JSON Schema cannot express
# --------------------------------------------------------------------------


def _semantic_errors(doc: Mapping[str, Any], known_rules: Mapping[str, Any] | None) -> Iterable[tuple[list[Any], str]]:
    run = doc.get("run") or {}
    # YAML's .nan / .inf (and TOML's nan / inf) are numbers the schema lets
    # through, and either would switch the per-command timeout off.
    timeouts = [(["run", "timeout"], run.get("timeout"))]
    for tier, policy in ((doc.get("policy") or {}).get("risk") or {}).items():
        timeouts.append((["policy", "risk", tier, "timeout"], (policy or {}).get("timeout")))
    for where, value in timeouts:
        if isinstance(value, float) and not math.isfinite(value):
            yield where, f"timeout must be a finite number of seconds, got {value}"
    for i, pattern in enumerate(run.get("allow") or ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            yield ["run", "allow", i], f"{pattern!r} is not a valid regular expression: {exc}"

    id_pattern = (doc.get("layout") or {}).get("id_pattern")
    if isinstance(id_pattern, str):
        try:
            re.compile(id_pattern)
        except re.error as exc:
            yield ["layout", "id_pattern"], f"{id_pattern!r} is not a valid regular expression: {exc}"
    spec_current = (doc.get("layout") or {}).get("spec_current")
    if isinstance(spec_current, list) and "latest" in spec_current and len(spec_current) > 1:
        yield ["layout", "spec_current"], "'latest' means no pointer file; it cannot be listed with pointer files"

    known = set(known_rules) if known_rules is not None else None

    def unknown_rule(rule_id: str) -> str:
        return f"unknown rule '{rule_id}'{_suggest(rule_id, known or ())}"

    risk = (doc.get("policy") or {}).get("risk") or {}
    for tier, policy in risk.items():
        for i, rule_id in enumerate((policy or {}).get("required_rules") or ()):
            if known is not None and rule_id not in known:
                yield ["policy", "risk", tier, "required_rules", i], unknown_rule(rule_id)

    seen: dict[str, int] = {}
    for i, waiver in enumerate(doc.get("waivers") or ()):
        wid = waiver["id"]
        if wid in seen:
            yield ["waivers", i, "id"], f"duplicate waiver id '{wid}' (first at waivers[{seen[wid]}])"
        seen.setdefault(wid, i)
        dates = {}
        for key in ("date", "expires"):
            if waiver.get(key) is None:
                continue
            try:
                dates[key] = _dt.date.fromisoformat(waiver[key])
            except ValueError:
                yield ["waivers", i, key], f"{waiver[key]!r} is not a real date"
        if len(dates) == 2 and dates["expires"] < dates["date"]:
            yield ["waivers", i, "expires"], f"expires {waiver['expires']} is before the waiver's date {waiver['date']}"
        for j, rule_id in enumerate(waiver.get("rules") or ()):
            if known is not None and rule_id not in known:
                yield ["waivers", i, "rules", j], unknown_rule(rule_id)


# --------------------------------------------------------------------------
# Building the model
# --------------------------------------------------------------------------


def _strs(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _freeze(value: Any) -> Any:
    """Plain, immutable-ish copies of option values (lists become tuples)."""
    if isinstance(value, dict):
        return {str(k): _freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _build(doc: Mapping[str, Any], source: str | None, sha256: str | None, root: Path | None = None) -> Config:
    lay = doc.get("layout") or {}
    layout = Layout(**{name: _strs([lay[name]] if isinstance(lay[name], str) else lay[name])
                       for name in Layout.__dataclass_fields__ if name in lay})
    profile_name = doc.get("profile") or (detect_profile(root) if root is not None else "handshake")

    rules: dict[str, RuleConfig] = {}
    for rule_id, entry in (doc.get("rules") or {}).items():
        entry = entry or {}
        severity = entry.get("severity")
        options = {str(k): _freeze(v) for k, v in entry.items() if k not in ("severity", "all_eras")}
        enabled = entry.get("enabled")
        rules[str(rule_id)] = RuleConfig(
            severity=Severity(severity) if severity is not None else None,
            options=MappingProxyType(options),
            all_eras=bool(entry.get("all_eras", False)),
            enabled=bool(enabled) if enabled is not None else None,
        )

    run_doc = doc.get("run") or {}
    defaults = RunConfig()
    allow = run_doc.get("allow", defaults.allow)
    run = RunConfig(
        timeout=float(run_doc.get("timeout", defaults.timeout)),
        allow=_strs(allow) if allow is not None else None,
        env=MappingProxyType({str(k): str(v) for k, v in (run_doc.get("env") or {}).items()}),
        pass_env=_strs(run_doc.get("pass_env")),
        log_cap=int(run_doc.get("log_cap", defaults.log_cap)),
        cache=bool(run_doc.get("cache", defaults.cache)),
        isolation=str(run_doc.get("isolation", defaults.isolation)),
    )

    risk: dict[str, RiskPolicy] = {}
    for tier, entry in ((doc.get("policy") or {}).get("risk") or {}).items():
        entry = entry or {}
        timeout = entry.get("timeout")
        risk[str(tier)] = RiskPolicy(
            required_rules=_strs(entry.get("required_rules")),
            warnings_fail=bool(entry.get("warnings_fail", False)),
            timeout=float(timeout) if timeout is not None else None,
        )

    waiver_list = doc.get("waivers") or []
    waiver_lines = getattr(waiver_list, "lines", None)
    waivers = []
    for i, entry in enumerate(waiver_list):
        waivers.append(
            ConfigWaiver(
                id=str(entry["id"]),
                date=entry.get("date"),
                justification=entry.get("justification"),
                rules=_strs(entry.get("rules")),
                packets=_strs(entry.get("packets")),
                owner=entry.get("owner"),
                expires=entry.get("expires"),
                line=waiver_lines[i] if waiver_lines is not None else 0,
            )
        )

    return Config(
        source=source,
        sha256=sha256,
        layout=layout,
        rules=MappingProxyType(rules),
        run=run,
        risk_policy=MappingProxyType(risk),
        waivers=tuple(waivers),
        baseline=doc.get("baseline"),
        fail_on=doc.get("fail_on") or Config.fail_on,
        ci=CiConfig(allow_config_changes=bool((doc.get("ci") or {}).get("allow_config_changes", False))),
        profile=build_profile(str(profile_name), doc),
    )


# --------------------------------------------------------------------------
# Reading the sources
# --------------------------------------------------------------------------


def _read_yaml(data: bytes, src: _Source) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise src.error([], f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line) from None
    loader = _yaml_loader()
    import yaml  # imported by _yaml_loader

    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "cannot be parsed"
        col = f" (column {mark.column + 1})" if mark is not None else ""
        raise src.error([], f"invalid YAML: {problem}{col}", line) from None
    except yaml.YAMLError as exc:
        raise src.error([], f"invalid YAML: {exc}", 1) from None
    except RecursionError:
        # PyYAML composes nodes recursively: a few thousand nested [ or {
        # exhaust the stack. No config needs that depth.
        raise src.error([], "invalid YAML: nested too deeply", 1) from None


def _plain(value: Any) -> Any:
    """TOML values as YAML would give them (dates as ISO strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return value


def _read_pyproject(data: bytes, src: _Source) -> Any:
    """The [tool.govcheck] table, or None when there is none."""
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        if b"govcheck" not in data:
            return None  # a broken pyproject that cannot hold our table: not our business
        # tomllib parses nested arrays and inline tables recursively.
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigError(f"{src.name}: cannot be parsed: {what}") from None
    tool = doc.get("tool")
    if not isinstance(tool, dict) or "govcheck" not in tool:
        return None
    section = tool["govcheck"]
    if not isinstance(section, dict):
        raise ConfigError(f"{src.name}: [tool.govcheck] must be a table, got {_kind(section)}")
    return _plain(section)


ConfigReader = Callable[[str], "bytes | None"]
"""Reads one config source by repo-relative name: its bytes, or None when
there is no such file; raises ConfigError when it exists but must not be
read (a link leaving the repo, not a regular file)."""


def load_config(repo_root: Path, known_rules: Mapping[str, Mapping[str, Any]] | None = None,
                read: ConfigReader | None = None, config_file: Path | None = None) -> Config:
    """Read, validate and build the repo's configuration.

    ``known_rules`` maps each rule id to its options' JSON-Schema properties
    (or a whole object schema); when given, unknown rule ids and options
    are errors. ``read`` supplies the sources' bytes (default: the working
    tree; ``git_reader`` reads them at a commit). ``config_file`` (``--config
    FILE``) replaces the search: YAML, or a ``.toml`` file's [tool.govcheck]
    table. Raises ConfigError with a one-line message.
    """
    if config_file is not None:
        name = str(config_file)
        data = _read_bytes(Path(config_file), name)
        if name.endswith(".toml"):
            src = _Source(name, yaml_file=False)
            doc = _read_pyproject(data, src)
            if doc is None:
                raise ConfigError(f"{name}: has no [tool.govcheck] table")
        else:
            src = _Source(name, yaml_file=True)
            doc = _read_yaml(data, src)
            if doc is None:
                doc = _LineDict()
        return _checked(doc, src, name, data, known_rules, Path(repo_root))
    read = read or disk_reader(Path(repo_root))
    for name in YAML_NAMES:
        data = read(name)
        if data is not None:
            src = _Source(name, yaml_file=True)
            doc = _read_yaml(data, src)
            if doc is None:  # empty, or only comments
                doc = _LineDict()
            break
    else:
        data = read(PYPROJECT)
        if data is None:
            return default_config(Path(repo_root))
        name = PYPROJECT
        src = _Source(PYPROJECT, yaml_file=False)
        doc = _read_pyproject(data, src)
        if doc is None:
            return default_config(Path(repo_root))
        name = PYPROJECT
    return _checked(doc, src, name, data, known_rules, Path(repo_root))


def default_config(root: Path) -> Config:
    """The configuration of a repo without one: the defaults, with the
    profile its layout shows (handshake or generic)."""
    return _build({}, None, None, root)


def _checked(doc: Any, src: _Source, name: str, data: bytes,
             known_rules: Mapping[str, Mapping[str, Any]] | None, root: Path | None = None) -> Config:
    try:
        problem = _first_error(doc, config_schema(known_rules))
        if problem is not None:
            path_, message, line = problem
            raise src.error(path_, message, line)
        for path_, message in _semantic_errors(doc, known_rules):
            raise src.error(path_, message, _line_of(doc, path_))
        return _build(doc, name, hashlib.sha256(data).hexdigest(), root)
    except RecursionError:
        # YAML anchors and TOML can build structures deeper than the schema
        # validator's recursion allows.
        raise src.error([], "nested too deeply", 1) from None


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot be read: {exc.strerror or exc}") from None


def config_fingerprint(read: ConfigReader) -> tuple[str, str] | None:
    """(source name, sha256) of the configuration a reader sees, without
    validating it; None when there is none. For pyproject.toml only the
    [tool.govcheck] table counts: a dependency bump is no config change."""
    for name in YAML_NAMES:
        data = read(name)
        if data is not None:
            return name, hashlib.sha256(data).hexdigest()
    data = read(PYPROJECT)
    if data is None:
        return None
    try:
        table = _read_pyproject(data, _Source(PYPROJECT, yaml_file=False))
    except ConfigError:
        return PYPROJECT, hashlib.sha256(data).hexdigest()  # broken: its bytes are what changed
    if table is None:
        return None
    canonical = json.dumps(table, sort_keys=True, ensure_ascii=True, default=str)
    return PYPROJECT, hashlib.sha256(canonical.encode("ascii")).hexdigest()


# A config or baseline larger than this is refused unread: both are small
# hand-written files, and a pull request must not make the gate read a
# gigabyte before it says anything.
MAX_SOURCE_BYTES = 16 * 1024 * 1024


def read_repo_file(root: Path, name: str, what: str) -> bytes | None:
    """The bytes of the repo file ``name`` (``what`` names it in errors), or
    None when there is none. A link leading out of the repo, anything but a
    regular file, or a file too large is refused with a ConfigError that
    names the path and the problem, never the content."""
    root = Path(root)
    path = root / name
    try:
        st = os.stat(path)  # follows links: the target is what would be read
    except (OSError, ValueError) as exc:
        if getattr(exc, "errno", None) in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                raise ConfigError(f"{what}: a link to a file that does not exist; refused") from None
            return None
        raise ConfigError(f"{what}: cannot be read: {_reason(exc)}") from None
    try:
        real = Path(os.path.realpath(path))
        real.relative_to(Path(os.path.realpath(root)))
    except (ValueError, OSError):
        raise ConfigError(f"{what}: a link leading outside the repository; refused") from None
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            return None  # a folder of that name is no config source
        raise ConfigError(f"{what}: not a regular file; refused") from None
    if st.st_size > MAX_SOURCE_BYTES:
        raise ConfigError(f"{what}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB; refused")
    try:
        # O_NONBLOCK: a FIFO swapped in after the stat must not hang the run.
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError(f"{what}: cannot be read: {_reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"{what}: not a regular file; refused")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:  # grew since the stat
            raise ConfigError(f"{what}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB; refused")
        return data
    except OSError as exc:
        raise ConfigError(f"{what}: cannot be read: {_reason(exc)}") from None
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def disk_reader(root: Path) -> ConfigReader:
    """Config sources as they are in the working tree."""
    return lambda name: read_repo_file(root, name, name)


def git_reader(root: Path, commit: str) -> ConfigReader:
    """Config sources as they are at ``commit`` (``govcheck ci`` judges a
    change with the config of its merge base)."""
    return lambda name: read_at_commit(root, commit, name, name)


_MAX_LINK_HOPS = 8


def read_at_commit(root: Path, commit: str, name: str, what: str) -> bytes | None:
    """The bytes of ``name`` at ``commit`` (None when it is not there). A
    symbolic link is followed inside the tree; one leaving it is refused."""
    git = Git(root)
    rel = name
    for _ in range(_MAX_LINK_HOPS):
        listing = git.output("ls-tree", "-z", "--full-tree", commit, "--", rel)
        if listing is None:
            raise ConfigError(f"{what} at {commit[:12]}: git cannot list it")
        if not listing:
            return None
        meta, _, _path = listing.rstrip(b"\0").partition(b"\t")
        mode, kind, blob = (meta.decode("ascii", "replace").split() + ["", "", ""])[:3]
        if kind != "blob":
            return None  # a folder of that name is no config source
        data = git.output("cat-file", "blob", blob)
        if data is None:
            raise ConfigError(f"{what} at {commit[:12]}: git cannot read it")
        if mode != "120000":
            if len(data) > MAX_SOURCE_BYTES:
                raise ConfigError(f"{what} at {commit[:12]}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB; refused")
            return data
        target = os.path.normpath(os.path.join(os.path.dirname(rel), data.decode("utf-8", "replace")))
        if os.path.isabs(target) or target == ".." or target.startswith("../"):
            raise ConfigError(f"{what} at {commit[:12]}: a link leading outside the repository; refused")
        rel = target
    raise ConfigError(f"{what} at {commit[:12]}: too many links; refused")
