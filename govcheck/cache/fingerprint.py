"""Which govcheck produced a cached value: the version, and the state of
govcheck's own source files.

Caches keyed on the version alone would serve results of older code to
anyone running govcheck from a checkout (an editable install, a fork, a
patched release); the sources' sizes and mtimes catch that for ~1 ms.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from govcheck import __version__


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    h = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".json")):
                p = Path(dirpath) / name
                try:
                    st = p.stat()
                except OSError:
                    continue
                h.update(f"{p.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return f"{__version__}+{h.hexdigest()[:16]}"
