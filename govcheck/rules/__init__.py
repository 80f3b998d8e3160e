"""The rule registry.

A rule is a pure generator function decorated with ``@rule``:

    @rule("spec-stale", severity=ERROR, codex="CX-573B",
          summary="Packet is anchored to an older spec than SPEC_CURRENT")
    def spec_stale(packet: Packet, ctx: Context) -> Iterator[Finding]:
        '''Long explanation: what it checks, why, how to fix, an example.'''

Packet rules take ``(packet, ctx)``; repo rules (``scope="repo"``) take
``(ctx)``; post rules (``scope="post"``, the waiver checks) take
``(packet, ctx, findings)`` and run after the packet's other rules. Rules never print, never decide the verdict and never touch the
file system except through ``ctx`` (which reads through ``Repo``). They
yield findings built with :func:`hit`; the engine fills in the rule id, the
configured severity, the codex reference and the packet path.

The docstring *is* the documentation: ``govcheck explain RULE`` prints it,
with where the rule's code and tests live.

Layout: one module per rule, ``govcheck/rules/<family>/<rule_id>.py`` (the
id with ``-`` as ``_``), grouped in family packages whose ``__init__``
imports them; the family is the package's name. What several rules share
is not a rule: it lives in ``govcheck.analysis`` (computations over the
model and the context) or ``govcheck.parse`` (text to frozen values), never
in another rule module. Rule modules import neither the file system nor the
pipeline (tests/test_rule_layering.py). Their tests mirror them:
``tests/rules/<family>/test_<rule_id>.py`` (tests/rules/harness.py).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from govcheck.analysis.era import ALWAYS, Since
from govcheck.model import Finding, RuleInfo, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Family packages, one module per rule inside each (govcheck/rules/<family>/<rule>.py).
# Importing a package imports its rule modules, which registers the rules.
RULE_MODULES = (
    "govcheck.rules.packet_health",
    "govcheck.rules.spec",
    "govcheck.rules.completeness",
    "govcheck.rules.done_means",
    "govcheck.rules.test_plan",
    "govcheck.rules.phases",
    "govcheck.rules.board",
    "govcheck.rules.hygiene",
    "govcheck.rules.scan",
    "govcheck.rules.contract",
    "govcheck.rules.gate",
    # post rules last: they judge the findings of all the others
    "govcheck.rules.waivers",
)


# The family whose rules still run on a packet that could not be read.
HEALTH_FAMILY = "packet_health"


@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: Severity
    summary: str
    codex: str | None
    family: str
    scope: str  # "packet" | "repo" | "post"
    check: Callable[..., Iterator[Finding]]
    # JSON Schema "properties" for the rule's options in govcheck.yaml.
    options: Mapping[str, Any] = field(default_factory=dict)
    # The first packets the rule applies to (analysis/era.py).
    since: Since = ALWAYS
    # One of the reference project's own process rules (phase gate, claims,
    # board, lineage, id naming, ASCII): run only by profiles that keep that
    # process (handshake), or when config switches the rule on.
    process: bool = False

    @functools.cached_property
    def explanation(self) -> str:
        return textwrap.dedent(inspect.getdoc(self.check) or self.summary).strip()

    @functools.cached_property
    def fix(self) -> str:
        """The "How to fix" paragraph of the explanation, on one line."""
        text = self.explanation
        marker = "How to fix"
        if marker not in text:
            return ""
        after = text.split(marker, 1)[1].strip().split("\n\n", 1)[0]
        return " ".join(after.split())

    @property
    def module_name(self) -> str:
        """The rule's module within its family package (``spec_stale``)."""
        return self.check.__module__.rsplit(".", 1)[-1]

    @property
    def code_path(self) -> str:
        """Where the rule's code lives, relative to the project root."""
        return self.check.__module__.replace(".", "/") + ".py"

    @property
    def tests_path(self) -> str:
        """Where the rule's tests live, relative to the project root
        (tests mirror the rules: tests/rules/<family>/test_<module>.py)."""
        return f"tests/rules/{self.family}/test_{self.module_name}.py"

    def options_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": dict(self.options)}

    def info(self) -> RuleInfo:
        """What reports say about this rule."""
        return RuleInfo(self.id, self.severity, self.summary, self.codex, self.family, self.explanation, self.fix,
                        self.since.describe())


_REGISTRY: dict[str, RuleSpec] = {}


def family_of(module: str) -> str:
    """``govcheck.rules.spec.spec_stale`` -> ``spec``: the family is the
    package a rule module sits in (a module directly under
    ``govcheck.rules`` is a family of its own)."""
    parts = module.split(".")
    if parts[:2] == ["govcheck", "rules"] and len(parts) > 2:
        return parts[2]
    return parts[-1]


def rule(
    rule_id: str,
    *,
    severity: Severity,
    summary: str,
    codex: str | None = None,
    scope: str = "packet",
    options: Mapping[str, Any] | None = None,
    since: Since = ALWAYS,
    process: bool = False,
) -> Callable[[Callable[..., Iterator[Finding]]], Callable[..., Iterator[Finding]]]:
    def register(fn: Callable[..., Iterator[Finding]]) -> Callable[..., Iterator[Finding]]:
        if rule_id in _REGISTRY:
            raise RuntimeError(f"rule {rule_id} registered twice")
        family = family_of(fn.__module__)
        _REGISTRY[rule_id] = RuleSpec(rule_id, severity, summary, codex, family, scope, fn, dict(options or {}),
                                       since, process)
        return fn

    return register


def hit(
    message: str,
    *,
    line: int | None = None,
    path: str | None = None,
    data: Mapping[str, Any] | None = None,
    severity: Severity | None = None,
    rule_id: str = "",
) -> Finding:
    """A finding as a rule yields it. The engine fills in the rest.

    ``severity`` lets one rule report at a lower level than its default in a
    documented case (for example spec-stale's ``unchanged_severity``).
    """
    return Finding(
        rule=rule_id,
        severity=severity or Severity.OFF,  # OFF = "use the rule's configured severity"
        message=message,
        path=path,
        line=line,
        data=dict(data or {}),
    )


_ALL: dict[str, RuleSpec] = {}


def all_rules() -> dict[str, RuleSpec]:
    """Every registered rule, by id (importing the rule modules once)."""
    if not _ALL:
        for mod in RULE_MODULES:
            importlib.import_module(mod)
        _ALL.update(sorted(_REGISTRY.items()))
    return dict(_ALL)


def get_rule(rule_id: str) -> RuleSpec | None:
    return all_rules().get(rule_id)
