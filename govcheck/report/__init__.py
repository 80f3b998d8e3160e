"""Renderers: one module per output format, each with ``render(report) -> str``."""

from __future__ import annotations

import importlib
from typing import Callable

from govcheck.model import Report

# format name -> module holding ``render``. Adding a format is adding a module.
FORMATS = {
    "markdown": "govcheck.report.markdown",
    "json": "govcheck.report.json",
    "junit": "govcheck.report.junit",
    "sarif": "govcheck.report.sarif",
    "github": "govcheck.report.github",
    "html": "govcheck.report.html",
}


def renderer(fmt: str) -> Callable[[Report], str]:
    return importlib.import_module(FORMATS[fmt]).render
