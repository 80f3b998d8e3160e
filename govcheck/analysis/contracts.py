"""What the contract rules share: where a packet's contracts are, its
microtask contracts read once per run (through the context, so the files
read are recorded), and the microtask status vocabulary from config.
Pure functions over the model and the context."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Iterable

from govcheck.errors import GovcheckError
from govcheck.model import Packet
from govcheck.model.contract import MicrotaskContract
from govcheck.parse.contract import MICROTASK_DONE_STATUSES, MICROTASK_OPEN_STATUSES, parse_microtask_contract

if TYPE_CHECKING:
    from govcheck.engine.context import Context

MICROTASK_FILE_RE = re.compile(r"^MT-\d+\.json$", re.IGNORECASE)
VOCABULARY_RULE = "microtask-status-unknown"  # the rule whose options hold the vocabulary


def packet_folder(packet: Packet) -> str | None:
    """The packet's WP-* folder (None for a flat WP-*.md, which has no
    contracts beside it)."""
    if packet.form == "microtasks":
        return packet.path
    if packet.form in ("contract", "contract+projection") or packet.path.endswith("/packet.md"):
        return posixpath.dirname(packet.path)
    return None


def microtasks(packet: Packet, ctx: Context) -> tuple[MicrotaskContract, ...]:
    """The packet's MT-NNN.json contracts, parsed (once per run)."""
    folder = packet_folder(packet)
    if folder is None:
        return ()

    def read() -> tuple[MicrotaskContract, ...]:
        out = []
        for name, kind in ctx.repo.list_dir(folder):
            if kind != "file" or not MICROTASK_FILE_RE.match(name):
                continue
            path = f"{folder}/{name}"
            try:
                data = ctx.repo.read_bytes(path)
            except GovcheckError:
                data = b""  # read as invalid JSON: contract-invalid says so
            out.append(parse_microtask_contract(data, path))
        return tuple(out)

    return ctx.memo(f"contract:microtasks:{folder}", read)


def _upper_set(values: object, default: frozenset[str]) -> frozenset[str]:
    if not isinstance(values, (list, tuple)):
        return default
    return frozenset(str(v).strip().upper() for v in values if str(v).strip())


def vocabulary(ctx: Context) -> tuple[frozenset[str], frozenset[str]]:
    """(done statuses, open statuses), upper-case, from the options of
    microtask-status-unknown (defaults: what the reference's MT board and
    generators use)."""
    options = ctx.options(VOCABULARY_RULE)
    return (_upper_set(options.get("done_statuses"), MICROTASK_DONE_STATUSES),
            _upper_set(options.get("open_statuses"), MICROTASK_OPEN_STATUSES))


def classify(status: str | None, vocab: tuple[frozenset[str], frozenset[str]]) -> str:
    """``done``, ``open`` or ``unknown``. No status is ``open``: the
    reference's board shows a microtask without one as PENDING."""
    if status is None or not status.strip():
        return "open"
    value = status.strip().upper()
    if value in vocab[0]:
        return "done"
    if value in vocab[1]:
        return "open"
    return "unknown"


def mt_id(mt: MicrotaskContract) -> str:
    return mt.mt_id.text.strip().upper() if mt.mt_id else posixpath.basename(mt.path)[:-5].upper()


def readable(mts: Iterable[MicrotaskContract]) -> list[MicrotaskContract]:
    return [m for m in mts if m.readable]


VOCABULARY_OPTIONS = {
    "done_statuses": {
        "type": "array", "items": {"type": "string"},
        "description": "Microtask statuses that mean finished (case-insensitive). Default: "
                       + ", ".join(sorted(MICROTASK_DONE_STATUSES)) + ".",
    },
    "open_statuses": {
        "type": "array", "items": {"type": "string"},
        "description": "Microtask statuses that mean not finished yet (case-insensitive). Default: "
                       + ", ".join(sorted(MICROTASK_OPEN_STATUSES)) + ".",
    },
}
