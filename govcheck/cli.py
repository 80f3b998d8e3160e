"""Command line: parse arguments, call the pipeline, pick a renderer, map
the verdict to an exit code (0 pass, 1 fail, 2 usage or input error).

Errors are our own exception types, caught once here and printed as one
line on stderr. Nothing prints a traceback unless GOVCHECK_DEBUG is set.

Each command imports what it needs when it runs: the engine, the rules and
jsonschema together cost ~0.2 s to import, which ``--help``, ``rules`` or
a warm ``validate`` served from the caches should not pay for the others.
"""

from __future__ import annotations

import difflib
import gc
import json
import math
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

import click

from govcheck import __version__
from govcheck.errors import GovcheckError, UsageError
from govcheck.util.fsutil import atomic_write_bytes

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class GovcheckGroup(click.Group):
    """Turns every error into ``govcheck: <reason>`` and exit 2."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("standalone_mode", True)
        # A run allocates a few hundred thousand short-lived containers per
        # thousand packets (parser tokens) and keeps few: collecting every
        # 700 allocations cost ~10% of a cold run. Memory stays bounded.
        gc.set_threshold(50_000, 20, 20)
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            # Usage errors: click's own one-line message, exit 2.
            msg = exc.format_message()
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            click.echo(f"govcheck: {msg}{hint}", err=True)
            sys.exit(EXIT_ERROR)
        except click.exceptions.Abort:
            click.echo("govcheck: aborted", err=True)
            sys.exit(130)
        except GovcheckError as exc:
            click.echo(f"govcheck: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("govcheck: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # a bug: still one line, the trace on request
            if os.environ.get("GOVCHECK_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"govcheck: internal error: {type(exc).__name__}: {exc} (set GOVCHECK_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(EXIT_ERROR)


@click.group(cls=GovcheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govcheck")
def main() -> None:
    """govcheck: validate task packets against the current master spec."""


def _repo_root(repo: str | None) -> Path:
    # Loaded when the command runs: see the module docstring.
    from govcheck.repo.repository import find_repo_root

    if repo is not None:
        path = Path(repo)
        if not path.exists():
            raise UsageError(f"--repo {repo}: no such folder")
        if not path.is_dir():
            raise UsageError(f"--repo {repo}: not a folder")
        return path.resolve()
    return find_repo_root(Path.cwd())


def write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    try:
        atomic_write_bytes(Path(output), text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write ({exc.strerror or exc})") from None


repo_option = click.option(
    "--repo",
    "repo",
    metavar="DIR",
    default=None,
    help="Governance repo root (default: walk up from the current folder).",
)


class FormatType(click.ParamType):
    """``FORMAT`` or ``FORMAT:FILE`` (the inline form pairs a format with
    its output file regardless of option order)."""

    name = "format"

    def convert(self, value, param, ctx):
        # Loaded when the command runs: see the module docstring.
        from govcheck.report import FORMATS

        name, sep, path = str(value).partition(":")
        if name not in FORMATS:
            self.fail(f"'{name}' is not one of {', '.join(FORMATS)}", param, ctx)
        if sep and not path:
            self.fail(f"'{value}': give a file after ':'", param, ctx)
        return (name, path or None)


def format_options(f):
    """``--format`` and ``--output``, repeatable: ``--format sarif:x.sarif``,
    or ``--format markdown --output report.md`` paired by position."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.report import FORMATS

    f = click.option("--output", "-o", "output", metavar="FILE", multiple=True,
                     help="Write the report of the --format before it to FILE (atomically); '-' is stdout.")(f)
    f = click.option("--format", "-f", "fmt", type=FormatType(), multiple=True, metavar="FORMAT[:FILE]",
                     help=f"Report format ({', '.join(FORMATS)}; default: concise for several packets on a "
                          "terminal, else markdown); repeat for several outputs.")(f)
    return f


class OrderedOptionsCommand(click.Command):
    """Remembers the order options were given in, so that ``--format X
    --output F`` pairs can be matched as written (click merges repeated
    options into tuples and loses the interleaving). The order comes from
    click's own parser, so every spelling it accepts (``-fjson``,
    ``--output=F``, abbreviations) counts."""

    def make_parser(self, ctx):
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args):
            opts, rest, order = parse(args=args)
            ctx.meta["govcheck.option_order"] = [param.name for param in order]
            return opts, rest, order

        parser.parse_args = parse_args
        return parser


def _output_slots(n_formats: int) -> list[int] | None:
    """For each --output in command-line order, the index of the --format
    written before it (None when the order is unknown)."""
    ctx = click.get_current_context(silent=True)
    order = ctx.meta.get("govcheck.option_order") if ctx is not None else None
    if order is None:
        return None
    slots: list[int] = []
    fmt_index = -1
    for name in order:
        if name == "fmt":
            fmt_index += 1
        elif name == "output":
            slots.append(fmt_index)
    return slots if fmt_index + 1 == n_formats else None


def output_plan(fmt, output: tuple[str, ...]) -> list[tuple[str, str | None]]:
    # Loaded when the command runs: see the module docstring.
    from govcheck.report.outputs import plan_outputs

    specs = [(f, None) if isinstance(f, str) else f for f in fmt]
    return plan_outputs(specs, list(output), _output_slots(len(fmt)) if fmt else None)


def emit_report(report, fmt: tuple[str, ...], output: tuple[str, ...], options=None) -> None:
    # Loaded when the command runs: see the module docstring.
    from govcheck.report.outputs import deliver

    if not fmt and not output and len(report.packets) > 1 and _stdout_is_terminal():
        # Many packets on a screen: a line per finding, not thousands of
        # lines of Markdown. A single packet keeps its validation report;
        # a file or a pipe keeps the Markdown report as before.
        fmt = ("concise",)
    plan = output_plan(fmt, output)
    for warning in deliver(report, plan, write_output, os.environ.get("GITHUB_STEP_SUMMARY"), options):
        click.echo(f"govcheck: {warning}", err=True)
    if options is not None and options.statistics and all(f != "concise" for f, _ in plan):
        # Loaded when the command runs: see the module docstring.
        from govcheck.report.concise import statistics, unwaived

        # Other formats have no place for it: the counts go to stderr.
        for line in statistics(unwaived(report)):
            click.echo(line, err=True)


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def fail_on_option(f):
    return click.option(
        "--fail-on", "fail_on", type=click.Choice(["fail", "outdated"]), default=None,
        help="Which verdicts fail the gate: 'fail' (only FAIL, the default) or 'outdated' (FAIL and OUTDATED); "
             "default: config fail_on.")(f)


def gate_exit(report, root: Path, fail_on: str | None) -> int:
    """The exit code for the run's verdict: OUTDATED passes the gate unless
    --fail-on outdated (or config fail_on: outdated) says otherwise."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.engine.verdict import exit_code
    from govcheck.repo.config import load_config

    chosen = fail_on or load_config(root).fail_on
    return exit_code(report.verdict, fail_on_outdated=chosen == "outdated")


def baseline_options(f):
    f = click.option("--no-baseline", is_flag=True, help="Ignore the baseline file: every finding counts.")(f)
    f = click.option("--baseline", "baseline_file", metavar="FILE", default=None,
                     help="Baseline of known findings (default: config 'baseline', else .govcheck-baseline.json if present).")(f)
    return f


def load_baseline(root: Path, baseline_file: str | None, no_baseline: bool):
    """The baseline this run marks known findings with (None: none)."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.engine.baseline import load_configured
    from govcheck.repo.config import load_config

    if no_baseline:
        return None
    configured = load_config(root).baseline if baseline_file is None else None
    return load_configured(root, baseline_file, configured)


class FiniteSeconds(click.FloatRange):
    """A timeout in seconds: at least 0.1 and finite. ``nan`` passes a plain
    FloatRange (every comparison with it is false) and ``inf`` is in range,
    yet either would switch the per-command timeout off."""

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return seconds


# --------------------------------------------------------------------------
# Report and gate options of validate and ci (issue 16): what counts, how
# outputs fit GitHub's limits, the exit status.
# --------------------------------------------------------------------------


def _rule_list(values: tuple[str, ...]) -> frozenset[str]:
    """Repeatable options that also take comma lists: ``--ignore a,b --ignore c``."""
    return frozenset(part.strip() for v in values for part in v.split(",") if part.strip())


def gate_options(f):
    opts = [
        click.option("--config", "config_file", metavar="FILE", default=None,
                     type=click.Path(exists=True, dir_okay=False),
                     help="Configuration file to use instead of the repo's govcheck.yaml / pyproject.toml."),
        click.option("--select", "select", metavar="RULE[,RULE]", multiple=True,
                     help="Count only these rules' findings (repeatable)."),
        click.option("--ignore", "ignore", metavar="RULE[,RULE]", multiple=True,
                     help="Leave out these rules' findings (repeatable)."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when packets fail (2 still means an error)."),
        click.option("--statistics", is_flag=True,
                     help="Counts per rule: after the findings with --format concise, else on stderr."),
        click.option("--path-prefix", metavar="PREFIX", default=None,
                     help="Put PREFIX before paths in annotations and SARIF (default: the repo's folder in the "
                          "git workspace, from GITHUB_WORKSPACE or git rev-parse --show-toplevel)."),
        click.option("--max-annotations", type=click.IntRange(min=0), default=None, metavar="N",
                     help="--format github: at most N annotations per level, errors first (default 10, what "
                          "GitHub shows; 0: no cap); one notice counts the rest."),
        click.option("--max-results", type=click.IntRange(min=0), default=None, metavar="N",
                     help="--format sarif: at most N results, most severe first (default 5000, what code "
                          "scanning keeps; 0: no cap)."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def workspace_prefix(root: Path, explicit: str | None) -> str:
    """The repo's folder inside the git workspace ("gov/"; "" at its root),
    which annotation and SARIF paths need in a monorepo."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.repo.git import Git

    if explicit is not None:
        prefix = explicit.replace("\\", "/").strip()
        while prefix.startswith("./"):
            prefix = prefix[2:]
        return prefix.rstrip("/") + "/" if prefix.strip("/") else ""
    candidates = []
    if os.environ.get("GITHUB_WORKSPACE"):
        candidates.append(Path(os.environ["GITHUB_WORKSPACE"]))
    top = Git(root).output("rev-parse", "--show-toplevel")
    if top:
        candidates.append(Path(top.decode("utf-8", "replace").strip()))
    for base in candidates:
        try:
            rel = root.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            continue
        return "" if rel == "." else rel + "/"
    return ""


def render_options(root: Path, path_prefix: str | None, max_annotations: int | None, max_results: int | None,
                   statistics: bool, fmt: tuple = ("github",)):
    # Loaded when the command runs: see the module docstring.
    from govcheck.report import DEFAULT_MAX_ANNOTATIONS, DEFAULT_MAX_RESULTS, RenderOptions

    # Only annotations and SARIF name paths for GitHub: other runs need not
    # ask git (a process start on every warm run).
    names = {f if isinstance(f, str) else f[0] for f in fmt}
    located = path_prefix is not None or bool(names & {"github", "sarif"})
    return RenderOptions(
        path_prefix=workspace_prefix(root, path_prefix) if located else "",
        max_annotations=DEFAULT_MAX_ANNOTATIONS if max_annotations is None else max_annotations,
        max_results=DEFAULT_MAX_RESULTS if max_results is None else max_results,
        statistics=statistics,
    )


def _with_shard(options, root: Path, shard: str, state_dir: str | None):
    # Loaded when the command runs: see the module docstring.
    from dataclasses import replace as _replace

    from govcheck.cache.state import StateDir
    from govcheck.engine.shard import Shard, load_durations

    return _replace(options, shard=Shard.parse(shard),
                    durations=load_durations(StateDir.for_repo(root, state_dir).root))


def _record_durations(root: Path, state_dir: str | None, report) -> None:
    """Command times for --shard's balance (kept in the state folder)."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.cache.state import StateDir
    from govcheck.engine.shard import record_durations

    record_durations(StateDir.for_repo(root, state_dir).root, report)


def exit_for(report, exit_zero: bool, root: Path, fail_on: str | None) -> None:
    """Exit 0 when the run passes (OUTDATED too, unless --fail-on outdated
    or config fail_on says otherwise) or with --exit-zero; 1 otherwise."""
    sys.exit(EXIT_PASS if exit_zero else gate_exit(report, root, fail_on))


def run_options(f):
    """Options shared by validate and ci: how TEST_PLAN commands run."""
    opts = [
        click.option("--no-run", is_flag=True, help="Do not run TEST_PLAN commands (listed as skipped)."),
        click.option("--timeout", type=FiniteSeconds(min=0.1), metavar="SECONDS", default=None,
                     help="Per-command timeout (default: config run.timeout, 600)."),
        click.option("--fail-fast", is_flag=True, help="Stop a packet's commands at its first failure."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Packets run in parallel (default: the number of cores)."),
        click.option("--rerun", is_flag=True, help="Run commands again even when a cached result exists."),
        click.option("--no-cache", is_flag=True,
                     help="Parse everything afresh: do not read or write the parse cache (<state-dir>/cache/parse)."),
        click.option("--state-dir", metavar="DIR", default=None,
                     help="Folder for command logs and caches (default: <repo>/.govcheck)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress output."),
        click.option("-v", "--verbose", is_flag=True, help="Print a line per finished command on stderr."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _validate_options(root, packet_ids, all_packets, no_run, timeout, fail_fast, jobs, rerun, no_cache, state_dir,
                      on_event, baseline=None, config_file=None, select=(), ignore=()):
    # Loaded when the command runs: see the module docstring.
    from govcheck.cache.state import StateDir
    from govcheck.engine.validate import ValidateOptions
    from govcheck.run.options import RunOptions

    state = StateDir.for_repo(root, state_dir)
    return ValidateOptions(
        state=None if no_cache else state,
        packet_ids=tuple(packet_ids),
        all_packets=all_packets,
        no_run=no_run,
        run=RunOptions(timeout=timeout, fail_fast=fail_fast, jobs=jobs or 0, rerun=rerun,
                       state_dir=Path(state_dir).resolve() if state_dir else None),
        on_event=on_event,
        baseline=baseline,
        config_file=Path(config_file) if config_file else None,
        select=_rule_list(select),
        ignore=_rule_list(ignore),
    )


@main.command(cls=OrderedOptionsCommand)
@click.argument("packet_ids", nargs=-1, metavar="[WP-ID]...")
@click.option("--all", "all_packets", is_flag=True, help="Validate every packet in the repo.")
@click.option("--shard", "shard", metavar="K/N", default=None,
              help="With --all: validate part K of N (balanced by recorded command times, else packet size); "
                   "repo-level checks run in part 1; join the JSON reports with 'govcheck merge'.")
@repo_option
@format_options
@baseline_options
@fail_on_option
@click.option("--append", is_flag=True,
              help="Append each packet's Markdown report to its VALIDATION_REPORTS section (atomic, append-only).")
@gate_options
@run_options
def validate(
    packet_ids: Sequence[str], all_packets: bool, shard: str | None, repo: str | None, fmt: tuple[str, ...], output: tuple[str, ...],
    baseline_file: str | None, no_baseline: bool, fail_on: str | None, append: bool, config_file: str | None, select: tuple[str, ...],
    ignore: tuple[str, ...], exit_zero: bool, statistics: bool, path_prefix: str | None,
    max_annotations: int | None, max_results: int | None, no_run: bool,
    timeout: float | None, fail_fast: bool, jobs: int | None, rerun: bool, no_cache: bool, state_dir: str | None,
    quiet: bool, verbose: bool,
) -> None:
    """Validate packets and print the validation report.

    Exit status: 0 when every packet passes (OUTDATED passes unless
    --fail-on outdated), 1 when any fails, 2 for usage or input errors.
    """
    # Loaded when the command runs: see the module docstring.
    from govcheck.engine.validate import validate as run_validate
    from govcheck.util.progress import Progress, progress_wanted

    root = _repo_root(repo)
    known = load_baseline(root, baseline_file, no_baseline)
    live = not no_run and progress_wanted(sys.stderr, quiet)
    with Progress(sys.stderr, verbose=verbose and not quiet, live=live) as progress:
        options = _validate_options(root, packet_ids, all_packets, no_run, timeout, fail_fast, jobs, rerun, no_cache,
                                    state_dir, progress.event, known, config_file, select, ignore)
        if shard is not None:
            options = _with_shard(options, root, shard, state_dir)
        report = run_validate(root, options)
    if not no_run:
        _record_durations(root, state_dir, report)
    emit_report(report, fmt, output, render_options(root, path_prefix, max_annotations, max_results, statistics, fmt))
    if append:
        append_reports(report, root, state_dir)
    exit_for(report, exit_zero, root, fail_on)


def append_reports(report, root: Path, state_dir: str | None) -> None:
    """Write each packet's report into the packet itself; a packet that
    changed on disk during the run is refused (exit 2). The state folder's
    ledger records each report, so a later run notices one removed."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.cache.state import StateDir
    from govcheck.commands.append import append_to_packets

    refused = append_to_packets(report, StateDir.for_repo(root, state_dir).root)
    for msg in refused:
        click.echo(f"govcheck: {msg}", err=True)
    if refused:
        sys.exit(EXIT_ERROR)


@main.command(cls=OrderedOptionsCommand)
@click.option("--base", metavar="REF", default=None,
              help="Compare with REF (default: the merge base with origin's default branch, main or master).")
@click.option("--head", metavar="REF", default=None, help="End of the range (default HEAD); the working tree is validated.")
@click.option("--allow-empty", is_flag=True,
              help="Accept a check that validates nothing (the base is HEAD, or no packet is touched) instead of exit 2.")
@repo_option
@format_options
@baseline_options
@fail_on_option
@gate_options
@run_options
def ci(base: str | None, head: str | None, allow_empty: bool, repo: str | None, fmt: tuple[str, ...],
       output: tuple[str, ...], baseline_file: str | None, no_baseline: bool, fail_on: str | None,
       config_file: str | None, select: tuple[str, ...], ignore: tuple[str, ...], exit_zero: bool, statistics: bool,
       path_prefix: str | None, max_annotations: int | None, max_results: int | None, no_run: bool,
       timeout: float | None, fail_fast: bool, jobs: int | None, rerun: bool, no_cache: bool, state_dir: str | None,
       quiet: bool, verbose: bool) -> None:
    """Pre-merge gate: validate what a change touches.

    Validates the packets changed between the merge base and HEAD, plus every
    packet a change to SPEC_CURRENT, a spec file, the task board or the
    config affects; repo-level checks always run. The change is judged with
    the config and baseline of the merge base: its own edits to them are
    reported (rule gate-changed), not applied. A range with nothing in it,
    or a change that touches no packet, exits 2 unless --allow-empty.
    Exit codes as validate.
    """
    # Loaded when the command runs: see the module docstring.
    from dataclasses import replace as _replace

    from govcheck.engine.loader import known_rule_options
    from govcheck.engine.selection import judging_at_base, resolve_range
    from govcheck.engine.validate import validate as run_validate
    from govcheck.rules import all_rules
    from govcheck.util.progress import Progress, progress_wanted

    root = _repo_root(repo)
    span = resolve_range(root, base, head, allow_empty)
    # The pull request is the party under test: its own govcheck.yaml and
    # baseline are compared with the base's, never trusted to judge it.
    judging = judging_at_base(root, span.merge_base, known_rule_options(all_rules()), baseline_file, no_baseline)
    # What fails the gate is the base's word too, never the change's.
    fail_on = fail_on or judging.config.fail_on
    live = not no_run and progress_wanted(sys.stderr, quiet)
    with Progress(sys.stderr, verbose=verbose and not quiet, live=live) as progress:
        options = _validate_options(root, (), False, no_run, timeout, fail_fast, jobs, rerun, no_cache, state_dir,
                                    progress.event, judging.baseline, config_file, select, ignore)
        report = run_validate(root, _replace(options, ci=True, ci_base=span.merge_base, ci_head=span.head,
                                             ci_judging=judging, ci_allow_empty=allow_empty))
    emit_report(report, fmt, output, render_options(root, path_prefix, max_annotations, max_results, statistics, fmt))
    exit_for(report, exit_zero, root, fail_on)


@main.command(cls=OrderedOptionsCommand)
@click.argument("parts", nargs=-1, required=True, metavar="PART.json...", type=click.Path(exists=True, dir_okay=False))
@format_options
@fail_on_option
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when packets fail.")
@click.option("--statistics", is_flag=True, help="With --format concise: counts per rule after the findings.")
@click.option("--path-prefix", metavar="PREFIX", default=None, help="As for validate.")
@click.option("--max-annotations", type=click.IntRange(min=0), default=None, metavar="N", help="As for validate.")
@click.option("--max-results", type=click.IntRange(min=0), default=None, metavar="N", help="As for validate.")
def merge(parts: tuple[str, ...], fmt: tuple[str, ...], output: tuple[str, ...], fail_on: str | None,
          exit_zero: bool, statistics: bool,
          path_prefix: str | None, max_annotations: int | None, max_results: int | None) -> None:
    """Join the JSON reports of 'validate --all --shard K/N' parts into one
    report, in any format (as one run over every packet would have written
    it); the exit status is that run's."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.engine.shard import merge as merge_parts
    from govcheck.report.json import decode
    from govcheck.rules import all_rules

    rules = tuple(spec.info() for spec in all_rules().values())
    reports = []
    for part in parts:
        try:
            doc = json.loads(Path(part).read_text(encoding="utf-8"))
            reports.append(decode(doc, rules))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{part}: not a govcheck JSON report ({type(exc).__name__}: {exc})") from None
        if reports[-1].tool_version != __version__:
            raise UsageError(f"{part}: written by govcheck {reports[-1].tool_version}, this is {__version__}")
    report = merge_parts(reports)
    root = Path(report.repo) if Path(report.repo).is_dir() else Path.cwd()
    emit_report(report, fmt, output, render_options(root, path_prefix, max_annotations, max_results, statistics, fmt))
    exit_for(report, exit_zero, root, fail_on)


@main.command()
@repo_option
@click.option("--output", "-o", metavar="FILE", default=None,
              help="Baseline file to write (default: config 'baseline', else .govcheck-baseline.json).")
def baseline(repo: str | None, output: str | None) -> None:
    """Record today's findings (every packet, no commands run) so that only
    new findings fail validate and ci. Commit the file."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.engine import baseline as bl
    from govcheck.engine.validate import ValidateOptions
    from govcheck.engine.validate import validate as run_validate
    from govcheck.repo.config import load_config

    root = _repo_root(repo)
    report = run_validate(root, ValidateOptions(all_packets=True, no_run=True))
    target = Path(output) if output else bl.repo_target(root, load_config(root).baseline or bl.DEFAULT_FILE)
    count = bl.write(report, target)
    click.echo(f"govcheck: recorded {count} finding(s) in {target}", err=True)


@main.command()
@click.argument("files", nargs=-1, metavar="[FILE]...")
@repo_option
@click.option("--format", "-f", "fmt", type=click.Choice(["concise", "markdown", "github", "json"]), default="concise",
              show_default=True, help="Report format on stdout (concise: a line per finding).")
def hook(files: tuple[str, ...], repo: str | None, fmt: str) -> None:
    """For pre-commit: validate the packets FILES belong to (packet.md,
    packet.json or a flat WP-*.md), without running commands. Files that
    belong to no packet are ignored."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.cache.state import StateDir
    from govcheck.engine.loader import open_repo
    from govcheck.engine.selection import packets_for_files
    from govcheck.engine.validate import ValidateOptions
    from govcheck.engine.validate import validate as run_validate
    from govcheck.report import renderer

    root = _repo_root(repo)
    repo_obj, _config, _rules = open_repo(root)
    ids = packets_for_files(repo_obj, [Path(f) for f in files], Path.cwd())
    if not ids:
        sys.exit(EXIT_PASS)
    report = run_validate(root, ValidateOptions(packet_ids=tuple(ids), no_run=True,
                                                state=StateDir.for_repo(root),
                                                baseline=load_baseline(root, None, False)))
    write_output(renderer(fmt)(report, render_options(root, None, None, None, False, (fmt,))), None)
    sys.exit(gate_exit(report, root, None))


@main.command()
@repo_option
@click.option("--force", is_flag=True, help="Overwrite an existing govcheck.yaml.")
def init(repo: str | None, force: bool) -> None:
    """Write a starter govcheck.yaml for the layout found in this repo:
    the reference layout, or Markdown tasks and versioned spec files found
    by name (each guess said in a comment). Exit 2 when nothing is found."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.commands.init import write_starter

    root = Path(repo).resolve() if repo else Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--repo {repo}: no such folder")
    target, summary = write_starter(root, force)  # checked before it is written: loads, finds the packets
    click.echo(f"govcheck: wrote {target} ({summary})", err=True)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: the page docs/rules.md holds.")
@click.option("--profile", type=click.Choice(["handshake", "generic"]), default=None,
              help="Mark the rules this profile does not run (the reference project's process rules under generic).")
def rules_cmd(fmt: str, profile: str | None) -> None:
    """List every rule with its default severity and codex reference, and
    the profiles that run it."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.repo.profiles import BUILTIN_PROFILES, build_profile
    from govcheck.rules import all_rules

    rules = all_rules()

    def profiles_of(r) -> list[str]:
        return [name for name in BUILTIN_PROFILES if not r.process or build_profile(name).process_rules]
    if fmt == "markdown":
        # Loaded when the command runs: see the module docstring.
        from govcheck.model import RuleInfo
        from govcheck.report import rules_doc

        # Only the registry's public fields, whatever module a rule lives in.
        infos = [RuleInfo(id=r.id, severity=r.severity, summary=r.summary, codex=r.codex, family=r.family,
                          explanation=r.explanation, fix="") for r in rules.values()]
        click.echo(rules_doc.render(infos), nl=False)
        return
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {"id": r.id, "severity": r.severity.value, "summary": r.summary, "codex": r.codex, "family": r.family,
                     "module": r.code_path, "tests": r.tests_path,
                     "since": {"format_version": r.since.format_version, "written": r.since.written,
                               "applies_to": r.since.describe()},
                     "profiles": profiles_of(r)}
                    for r in rules.values()
                ],
                indent=2,
            )
        )
        return
    width = max(len(r) for r in rules)
    for r in rules.values():
        codex = f" [{r.codex}]" if r.codex else ""
        runs = profiles_of(r)
        if profile is not None and profile not in runs:
            note = f"  (not run by profile {profile}; rules.{r.id}.enabled: true runs it)"
        elif profile is None and len(runs) < len(BUILTIN_PROFILES):
            note = f"  (profile {', '.join(runs)} only)"
        else:
            note = ""
        click.echo(f"{r.id.ljust(width)}  {r.severity.value:<7}  {r.summary}{codex}{note}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain a rule: what it checks, why, how to fix, an example."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.rules import all_rules

    rules = all_rules()
    spec = rules.get(rule_id)
    if spec is None:
        close = difflib.get_close_matches(rule_id, list(rules), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'govcheck rules' lists them"
        raise UsageError(f"unknown rule '{rule_id}'{hint}")
    codex = f"\nCodex: {spec.codex}" if spec.codex else ""
    options = ""
    if spec.options:
        options = "\n\nOptions (govcheck.yaml rules.{id}):\n".format(id=spec.id) + "\n".join(
            f"  {name}: {schema.get('description', '')}" for name, schema in spec.options.items()
        )
    era = f"\n\nIn force for: {spec.since.describe()}."
    if not spec.since.always:
        era += " (Eras are the handshake profile's; under generic the rule applies to every packet.)"
    if spec.since.why:
        era += f"\nWhy from then: {spec.since.why}"
    if spec.process:
        era += (f"\nProfiles: handshake only (one of the reference project's process rules); elsewhere "
                f"`rules: {{{spec.id}: {{enabled: true}}}}` switches it on.")
    else:
        era += "\nProfiles: every profile (handshake, generic)."
    click.echo(
        f"{spec.id} ({spec.severity.value}, family {spec.family}){codex}\n{spec.summary}\n\n{spec.explanation}{options}"
        f"{era}\n\nCode: {spec.code_path}\nTests: {spec.tests_path}"
    )


@main.group("spec")
def spec_group() -> None:
    """Spec sections: show one, or compare two versions section by section."""


@spec_group.command("show")
@click.argument("section")
@click.option("--version", "version", metavar="V", default=None, help="Spec version (default: the one SPEC_CURRENT names).")
@repo_option
@click.option("--output", "-o", metavar="FILE", default=None)
def spec_show_cmd(section: str, version: str | None, repo: str | None, output: str | None) -> None:
    """Print SECTION (with its subsections) from a spec version."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.commands.spec import spec_show

    write_output(spec_show(_repo_root(repo), section, version), output)


@spec_group.command("diff")
@click.argument("version_a")
@click.argument("version_b")
@click.option("--section", metavar="S", default=None, help="Print the unified diff of one section.")
@click.option("--all", "show_unchanged", is_flag=True, help="List unchanged sections too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@repo_option
@click.option("--output", "-o", metavar="FILE", default=None)
def spec_diff_cmd(version_a: str, version_b: str, section: str | None, show_unchanged: bool, fmt: str,
                  repo: str | None, output: str | None) -> None:
    """Compare two spec versions: sections changed, unchanged, added, removed."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.commands.spec import spec_diff

    write_output(spec_diff(_repo_root(repo), version_a, version_b, section, fmt, show_unchanged), output)


@main.command()
@click.argument("packet_id", metavar="WP-ID")
@click.option("--dry-run", is_flag=True, help="Show the rewrite as a diff; write nothing.")
@repo_option
def reanchor(packet_id: str, dry_run: bool, repo: str | None) -> None:
    """Move a packet's spec pointers to the current version when none of
    its anchored sections changed; refuse (exit 1) naming those that did."""
    # Loaded when the command runs: see the module docstring.
    from govcheck.commands.spec import reanchor as run_reanchor
    from govcheck.engine.validate import report_time

    code, out, err = run_reanchor(_repo_root(repo), packet_id, dry_run, report_time().date().isoformat())
    if out:
        click.echo(out, nl=False)
    if err:
        click.echo(err, err=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
