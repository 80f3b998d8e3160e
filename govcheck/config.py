"""TEMPORARY shim: replaced by the full loader on branch config-decoding."""
from __future__ import annotations
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from .model import Severity

@dataclass(frozen=True)
class Layout:
    packets: tuple = ()
    spec_current: tuple = ()
    spec_dirs: tuple = ()
    task_board: tuple = ()
    traceability_registry: tuple = ()
    refinements: tuple = ()
    exclude: tuple = ()

@dataclass(frozen=True)
class RunConfig:
    timeout: float = 600
    allow: tuple | None = None
    env: Mapping[str, Any] = field(default_factory=dict)
    log_cap: int = 10 * 1024 * 1024
    cache: bool = True

@dataclass(frozen=True)
class Config:
    source: str | None = None
    sha256: str | None = None
    layout: Layout = Layout()
    rules: Mapping[str, Any] = field(default_factory=dict)
    run: RunConfig = RunConfig()
    policy: Mapping[str, Any] = field(default_factory=dict)
    waivers: tuple = ()
    baseline: str | None = None
    cache_dir: str = ".govcheck/cache"
    notes: tuple = ()
    def rule_severity(self, rule_id: str, default: Severity) -> Severity:
        return default
    def rule_options(self, rule_id: str) -> Mapping[str, Any]:
        return {}

def load_config(repo_root: Path, known_rules=None) -> Config:
    return Config()
