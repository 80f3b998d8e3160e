"""Which govcheck produced a cached value: the version, and the state of
govcheck's own source files.

Caches keyed on the version alone would serve results of older code to
anyone running govcheck from a checkout (an editable install, a fork, a
patched release); the sources' sizes and mtimes catch that for ~1 ms.
Every source file of the package counts (rules, parsers, models), not
only this folder's: a changed rule must not be answered from the cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from govcheck import __version__

# The govcheck package folder (this file is govcheck/cache/fingerprint.py).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def source_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The files whose state goes into the fingerprint, in a fixed order."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        out.extend(Path(dirpath) / name for name in sorted(filenames) if name.endswith((".py", ".json")))
    return out


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    h = hashlib.sha256(__version__.encode())
    for p in source_files():
        try:
            st = p.stat()
        except OSError:
            continue
        h.update(f"{p.relative_to(PACKAGE_ROOT)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return f"{__version__}+{h.hexdigest()[:16]}"
