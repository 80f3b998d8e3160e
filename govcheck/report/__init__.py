"""Renderers: one module per output format, each with
``render(report, options=None) -> str``.

``RenderOptions`` carries what a renderer needs to know about where its
output goes (not about the findings): the repo's folder inside the git
workspace, the caps GitHub and code scanning impose, where the full report
was written. The CLI fills it in; renderers never look at the environment.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from govcheck.model import Report

# format name -> module holding ``render``. Adding a format is adding a module.
FORMATS = {
    "markdown": "govcheck.report.markdown",
    "json": "govcheck.report.json",
    "junit": "govcheck.report.junit",
    "sarif": "govcheck.report.sarif",
    "github": "govcheck.report.github",
    "concise": "govcheck.report.concise",
    "summary": "govcheck.report.summary",
    "html": "govcheck.report.html",
}

# GitHub shows at most 10 error, 10 warning and 10 notice annotations of a
# step and silently drops the rest.
DEFAULT_MAX_ANNOTATIONS = 10
# GitHub code scanning keeps the first 5,000 results of a run.
DEFAULT_MAX_RESULTS = 5000
# GitHub refuses a step summary over 1 MiB; the margin leaves room for
# what other steps of the same job append.
DEFAULT_SUMMARY_BYTES = 1024 * 1024 - 24 * 1024


@dataclass(frozen=True)
class RenderOptions:
    # Prepended to repo-relative paths in annotations and SARIF, so a
    # governance repo in a subfolder of the checkout ("gov/") is annotated
    # on the right file. "" when the repo is the workspace root.
    path_prefix: str = ""
    # Per severity in --format github; 0 means no cap.
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS
    # SARIF results kept (most severe first); 0 means no cap.
    max_results: int = DEFAULT_MAX_RESULTS
    summary_bytes: int = DEFAULT_SUMMARY_BYTES
    # Where the complete report went (a file name, or a hint how to get
    # it), named by outputs that leave something out.
    full_report: str | None = None
    # --statistics: counts per rule after the findings (concise).
    statistics: bool = False


Renderer = Callable[..., str]


def renderer(fmt: str) -> Renderer:
    """``render(report, options=None)`` of the format's module."""
    return importlib.import_module(FORMATS[fmt]).render


def render(fmt: str, report: Report, options: RenderOptions | None = None) -> str:
    return renderer(fmt)(report, options or RenderOptions())
