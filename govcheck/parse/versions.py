"""Spec version strings: ``v02.93``, ``02.93``, ``Handshake_Master_Spec_v02.123.md``.

Versions are compared numerically per component, so ``02.100 > 02.99``.
The canonical string form keeps the digits as written without the ``v``
(``"02.93"``), which is what reports and JSON carry.
"""

from __future__ import annotations

import functools
import re

# A master spec file name as real repos spell it
# (``Handshake_Master_Spec_v02.123.md``). The project prefix varies; audits
# such as ``MASTER_SPEC_INTENT_AUDIT_v02.103.md`` are not spec files.
SPEC_FILE_RE = re.compile(
    r"(?:^|[_ .-])Master[_ -]Spec_v(?P<version>\d+\.\d+(?:\.\d+)?)\.md$", re.IGNORECASE
)
VERSION_RE = re.compile(r"\bv?(\d{1,3}\.\d{1,4}(?:\.\d{1,4})?)\b")


def normalize_version(text: str) -> str:
    """``"v02.93"`` -> ``"02.93"``. Raises ValueError when not a version."""
    m = re.fullmatch(r"\s*[vV]?(\d+(?:\.\d+)+)\s*", text)
    if not m:
        raise ValueError(f"not a spec version: {text!r}")
    return m.group(1)


@functools.lru_cache(maxsize=4096)
def version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key: ``"02.100"`` -> ``(2, 100)``. Cached: rules compare
    the same few version strings for every packet (a ValueError for a
    string that is no version is raised every time, never cached)."""
    return tuple(int(part) for part in normalize_version(version).split("."))


def compare_versions(a: str, b: str) -> int:
    ka, kb = version_key(a), version_key(b)
    return (ka > kb) - (ka < kb)


def version_from_spec_filename(name: str) -> str | None:
    """Version of a spec file name or path, or None when it is not one."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    m = SPEC_FILE_RE.search(base)
    return m.group("version") if m else None


def is_spec_filename(name: str) -> bool:
    return version_from_spec_filename(name) is not None
