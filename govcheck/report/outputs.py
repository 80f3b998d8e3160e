"""Where reports go: several formats per run, each to stdout or a file,
plus the GitHub job summary. Rendering happens before anything is written,
so a failing renderer never leaves half the outputs behind."""

from __future__ import annotations

from typing import Callable, Iterable

from govcheck.errors import UsageError
from govcheck.model import Report
from govcheck.report import renderer


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


def deliver(report: Report, plan: list[tuple[str, str | None]], write: Callable[[str, str | None], None],
            step_summary: str | None) -> Iterable[str]:
    """Render and write every output; then append the Markdown report to
    GitHub's step summary file when there is one. Yields warnings."""

    rendered = [(fmt, renderer(fmt)(report), out) for fmt, out in plan]
    for _fmt, text, out in rendered:
        write(text, out)
    if step_summary:
        md = next((text for fmt, text, _ in rendered if fmt == "markdown"), None)
        md = md if md is not None else renderer("markdown")(report)
        try:
            with open(step_summary, "a", encoding="utf-8") as fh:  # GitHub's own file: append, as its docs say
                fh.write(md)
        except OSError as exc:
            yield f"cannot write GITHUB_STEP_SUMMARY ({exc.strerror or exc})"
