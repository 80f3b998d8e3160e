"""What rules may look at besides the packet: the repo, SPEC_CURRENT, the
current spec's section index, configuration, today's date, command results.

Everything expensive (spec indexes, the task board) is computed on first
use and shared by every packet of the run.
"""

from __future__ import annotations

import datetime as _dt
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

from govcheck.model import CommandResult, SpecCurrent
from govcheck.parse.spec import index_spec
from govcheck.parse.versions import version_key
from govcheck.repo.config import Config
from govcheck.repo.repository import Repo
from govcheck.repo.spec_history import SpecStore


@dataclass
class Context:
    repo: Repo
    config: Config
    spec_current: SpecCurrent
    today: _dt.date
    # Command results per packet id, filled by the runner before rules run.
    commands: Mapping[str, tuple[CommandResult, ...]] = field(default_factory=dict)
    ran_commands: bool = False  # False under --no-run
    # Packets this run validates (id -> parsed packet), and whether the run
    # covers the whole repo (--all). Repo rules use them instead of parsing
    # again; packet(id) parses any other packet once, on demand.
    packets: dict = field(default_factory=dict)
    all_packets: bool = False
    change_set: Any = None  # changes.ChangeSet under `govcheck ci`
    parse_cache: Any = None  # cache.parse.ParseCache, or None
    # Loads a packet that is not in ``packets`` (engine.loader.load_packet
    # bound to this run's repo and cache), so rules can ask for any packet.
    load: Callable[[str], Any] | None = None
    rule_ids: frozenset[str] = frozenset()  # every registered rule (waiver-unused)
    # packet path -> the report --append last wrote into it (the state
    # folder's ledger, commands.append); rule report-removed reads it.
    report_ledger: Mapping[str, Any] = field(default_factory=dict)
    # The run's one SpecStore, shared by every Context of the run (and by
    # forked workers across their chunks), so git history is read once.
    shared_spec_store: SpecStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def packet(self, wp_id: str):
        """The parsed packet of ``wp_id`` (None when the repo has none)."""
        if wp_id in self.packets:
            return self.packets[wp_id]
        packet = self.load(wp_id) if self.load is not None else None
        with self._lock:
            self.packets.setdefault(wp_id, packet)
        return self.packets[wp_id]

    def memo(self, key: str, compute):
        """A value computed once per run (a parsed registry, a board):
        rules stay pure functions while sharing work across packets."""
        store = self.__dict__.setdefault("_memo", {})
        if key not in store:
            # What the computation read is remembered with its value, so a
            # packet that gets the memoised value depends on it too.
            self.repo.start_recording()
            try:
                value = compute()
            finally:
                deps = self.repo.stop_recording()
            with self._lock:
                store.setdefault(key, (value, deps))
        value, deps = store[key]
        for dep in deps:
            self.repo.record(dep)
        return value

    def options(self, rule_id: str) -> Mapping[str, Any]:
        return self.config.rule_options(rule_id)

    @cached_property
    def current_spec_bytes(self) -> bytes:
        """The text of the SPEC_CURRENT spec (read once)."""
        with self._lock:
            return self.repo.spec_text_bytes(self.spec_current)

    @cached_property
    def current_spec_index(self):
        """Section index of the SPEC_CURRENT spec text (lazily, once)."""

        return index_spec(self.current_spec_bytes)

    def spec_index(self, version: str):
        """Section index of any spec version present in the working tree,
        or None when that version's text is not available here."""
        if version == self.spec_current.version:
            return self.current_spec_index

        for sf in self.repo.spec_files:
            if version_key(sf.version) == version_key(version):
                return index_spec(self.repo.read_bytes(sf.path))
        return None

    @cached_property
    def spec_store(self):
        """Spec texts of any version: working tree, then git history."""

        return self.shared_spec_store if self.shared_spec_store is not None else SpecStore(self.repo)
