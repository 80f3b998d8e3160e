"""Where reports go: several formats per run, each to stdout or a file,
plus the GitHub job summary. Rendering happens before anything is written,
so a failing renderer never leaves half the outputs behind.

The job summary is the short ``summary`` format (GitHub refuses one over
1 MiB), never the whole Markdown report; outputs that leave something out
(summary, annotations, SARIF past its cap) name the file that holds the
full report: the Markdown file of this run, else its JSON file."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable

from govcheck.errors import UsageError
from govcheck.model import Report
from govcheck.report import RenderOptions, renderer


def plan_outputs(specs: list[tuple[str, str | None]], outs: list[str],
                 slots: list[int] | None) -> list[tuple[str, str | None]]:
    """Pair formats with destinations. ``specs`` are (format, inline file)
    from ``--format FMT[:FILE]``; ``outs`` the ``--output`` values; ``slots``
    for each output the index of the format written before it (None when
    the order is unknown: then outputs fill the formats without a file in
    turn). At most one format may go to stdout."""
    plan = list(specs) or [("markdown", None)]
    if slots is not None and len(slots) == len(outs):
        for slot, out in zip(slots, outs):
            if slot < 0 or plan[slot][1] is not None:
                raise UsageError(f"--output {out} does not follow a --format without a file")
            plan[slot] = (plan[slot][0], out)
    else:
        open_slots = [i for i, (_, path) in enumerate(plan) if path is None]
        if len(outs) > len(open_slots):
            raise UsageError(f"{len(outs)} --output option(s) but only {len(open_slots)} --format without a file")
        for slot, out in zip(open_slots, outs):
            plan[slot] = (plan[slot][0], out)
    if sum(1 for _, path in plan if path in (None, "-")) > 1:
        raise UsageError("only one format can go to stdout; give the others a file (--format sarif:govcheck.sarif)")
    return plan


def full_report_file(plan: list[tuple[str, str | None]]) -> str | None:
    """The file of this run that holds the whole report, if any."""
    for wanted in ("markdown", "json"):
        for fmt, out in plan:
            if fmt == wanted and out not in (None, "-"):
                return out
    return None


def deliver(report: Report, plan: list[tuple[str, str | None]], write: Callable[[str, str | None], None],
            step_summary: str | None, options: RenderOptions | None = None) -> Iterable[str]:
    """Render and write every output; then append the job summary to
    GitHub's step summary file when there is one. Yields warnings."""
    opts = options or RenderOptions()
    if opts.full_report is None:
        opts = replace(opts, full_report=full_report_file(plan))
    rendered = [(fmt, renderer(fmt)(report, opts), out) for fmt, out in plan]
    for _fmt, text, out in rendered:
        write(text, out)
    if step_summary:
        summary = renderer("summary")(report, opts)
        try:
            with open(step_summary, "a", encoding="utf-8") as fh:  # GitHub's own file: append, as its docs say
                fh.write(summary)
        except OSError as exc:
            yield f"cannot write GITHUB_STEP_SUMMARY ({exc.strerror or exc})"
