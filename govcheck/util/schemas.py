"""Our own JSON Schemas (top-level ``schemas/``, shipped as ``govcheck._schemas``)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """``load_schema("report")`` -> the parsed ``schemas/report.schema.json``."""
    filename = f"{name}.schema.json"
    try:
        text = resources.files("govcheck._schemas").joinpath(filename).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a source tree without an install: schemas/ beside the package.
        text = (Path(__file__).resolve().parent.parent / "schemas" / filename).read_text(encoding="utf-8")
    return json.loads(text)
