"""Benchmark ``govcheck validate --all --no-run`` cold, warm and peak RSS.

    python bench/bench.py [--repo DIR] [--packets N] [--runs N] [--rows ROWS] [--before REV]

Generates (or reuses) synthetic repos under /tmp, then times the CLI in
subprocesses:

* cold: no caches at all (``--no-cache``);
* fill: the first run with an empty cache (parses and writes entries);
* warm: the cache populated;
* peak RSS of each child (``ru_maxrss`` from a fresh process per run), and
  the CPU seconds it used (the cores are shared: wall time alone misleads);
* the spec section index of every spec in the repo (in-process, best of 5);
* a yardstick per row: the best time of a fixed Python workload before and
  after the row, since the project's machines are shared and their speed
  changes (the same code has timed 1.5-2x apart within one day): a figure
  compares only with figures beside a similar yardstick.

Rows: ``bench`` (bench/gen_repo.py, every spec version in the tree),
``history`` (bench/gen_history.py: the same packets over a 1,200-commit
history that keeps most spec versions only in git), and, when ../shared
exists, ``corpus`` (handshake-3c9b4c14 as it is) and ``corpus-hist``
(handshake-6519f4e2-half copied into a git repo whose older spec versions
live only in a few hundred commits of history). Nothing is written into
the corpus: ``--state-dir`` and the caches live under /tmp. Exit status 1
from validate is expected (packets fail).

``--before REV`` also times the code of git revision REV (its ``govcheck``
package exported to a temp folder, run from there) once per history row:
the "before" figure of a change. ``--before REV --interleave`` instead runs
REV's code and this checkout alternately, ``--runs`` times each, on every
row, and prints the median and best cold and warm times of each side: the
comparison to trust on a machine whose speed changes while it runs.

The package timed is byte-compiled first, as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE=1`` (set on the project's machines) a checkout
would otherwise compile its ~140 modules from source in every run (~0.2 s
of each cold and warm figure). ``--stat median`` prints the median of the
runs instead of the best (the cores are shared with other work).
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

CORPUS = ROOT.parent / "shared" / "corpus" / "handshake-3c9b4c14"
CORPUS_HALF = ROOT.parent / "shared" / "corpus" / "handshake-6519f4e2-half"
TARGETS = {"bench": {"cold": 3.0, "warm": 1.0, "rss_mb": 500.0}, "corpus": {"warm": 0.5},
           "history": {"cold": 3.0, "warm": 1.0, "rss_mb": 500.0},
           "corpus-hist": {"cold": 3.0, "warm": 1.0, "rss_mb": 500.0}}


def yardstick_ms(repeat: int = 5) -> float:
    """How fast this machine runs plain Python right now: the best of
    ``repeat`` runs of a fixed workload (string splitting, dict and tuple
    work, as parsing is), in ms. The project's machines are shared: the
    same code has timed 1.5x apart within one day, so a table's figures
    compare only with a yardstick taken beside them."""
    text = "\n".join(f"- FIELD_{i % 97}: value {i} of the list" for i in range(50_000))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        counts: dict[str, int] = {}
        for line in text.split("\n"):
            name, _, value = line[2:].partition(": ")
            counts[name] = counts.get(name, 0) + len(value.split())
        best = min(best, time.perf_counter() - t)
    return best * 1000
ROWS = ("bench", "history", "corpus", "corpus-hist")

# Each run happens in a fresh Python that reports its child's peak RSS, so
# ru_maxrss (a maximum over all children ever waited for) is per run.
_RUNNER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "wall": wall, "rss_kb": rss, "cpu": ru.ru_utime + ru.ru_stime,
                  "stderr": p.stderr.decode()[-2000:]}))
"""


def govcheck_cmd() -> list[str]:
    exe = shutil.which("govcheck", path=str(Path(sys.executable).parent)) or shutil.which("govcheck")
    return [exe] if exe else [sys.executable, "-m", "govcheck.cli"]


def run_once(args: list[str], env: dict, cwd: Path | None = None) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", _RUNNER, *args], env=env, capture_output=True, text=True, check=True,
                         cwd=cwd)
    res = json.loads(out.stdout)
    if res["rc"] not in (0, 1):
        raise SystemExit(f"validate failed (exit {res['rc']}): {res['stderr']}")
    return res


STAT = min  # or statistics.median (--stat median)


def best(args: list[str], env: dict, runs: int, before=None, cwd: Path | None = None) -> dict:
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(run_once(args, env, cwd))
    return {"wall": STAT([r["wall"] for r in results]), "rss_kb": max(r["rss_kb"] for r in results),
            "cpu": STAT([r["cpu"] for r in results])}


def byte_compile(package: Path) -> None:
    """Write the package's .pyc files (as an install does), so runs under
    PYTHONDONTWRITEBYTECODE=1 do not compile every module from source."""
    compileall.compile_dir(str(package), quiet=1)


def spec_index_ms(repo: Path) -> list[tuple[str, float, float]]:
    from govcheck.parse.spec import build_index

    out = []
    for p in sorted(repo.rglob("*Master_Spec_v*.md")):
        data = p.read_bytes()
        t_best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            build_index(data)
            t_best = min(t_best, time.perf_counter() - t)
        out.append((p.name, len(data) / 1e6, t_best * 1000))
    return out


def bench_repo(name: str, repo: Path, runs: int, code: Path | None = None, index: bool = True) -> dict:
    """The figures for one repo. ``code``: a folder holding another
    ``govcheck`` package to time instead of the installed one."""
    work = Path(tempfile.mkdtemp(prefix=f"govcheck-bench-{name}-"))
    state = work / "state"
    cache_dir = state / "cache"
    cmd = [sys.executable, "-m", "govcheck.cli"] if code is not None else govcheck_cmd()
    byte_compile((code if code is not None else ROOT) / "govcheck")
    base = cmd + ["validate", "--all", "--no-run", "--repo", str(repo), "-q",
                             "--state-dir", str(state), "-o", os.devnull]
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    cwd = None
    if code is not None:
        # ``python -m`` puts the working folder first on sys.path: run from
        # the exported code, or a checkout's own package would be timed.
        env["PYTHONPATH"] = str(code)
        cwd = code
    cold_args = base + ["--no-cache"]
    cached_env = env

    def clear() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    yardstick = yardstick_ms()
    result = {
        "cold": best(cold_args, env, runs, cwd=cwd),
        "fill": best(base, cached_env, runs, before=clear, cwd=cwd),
    }
    run_once(base, cached_env, cwd)  # make sure the cache is populated
    result["warm"] = best(base, cached_env, runs, cwd=cwd)
    result["yardstick"] = min(yardstick, yardstick_ms())  # the machine's speed while the row ran
    result["index"] = spec_index_ms(repo) if index else []
    from govcheck.engine.loader import open_repo

    result["packets"] = len(open_repo(repo)[0].packets)
    result["bytes"] = sum(p.stat().st_size for p in repo.rglob("WP-*") if p.is_file())
    result["bytes"] += sum(p.stat().st_size for p in repo.rglob("packet.*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return result


def interleaved(name: str, repo: Path, runs: int, code_before: Path) -> dict:
    """Cold and warm wall times of the code ``code_before`` and of this
    checkout, run alternately (before, after, before, after ...) so both see
    the same machine: medians and bests of ``runs`` each."""
    sides: dict[str, dict] = {}
    for side, code in (("before", code_before), ("after", None)):
        work = Path(tempfile.mkdtemp(prefix=f"govcheck-bench-{name}-{side}-"))
        cmd = [sys.executable, "-m", "govcheck.cli"] if code is not None else govcheck_cmd()
        byte_compile((code if code is not None else ROOT) / "govcheck")
        base = cmd + ["validate", "--all", "--no-run", "--repo", str(repo), "-q", "--state-dir", str(work / "state"),
                      "-o", os.devnull]
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        if code is not None:
            env["PYTHONPATH"] = str(code)
        sides[side] = {"work": work, "cold": base + ["--no-cache"], "warm": base, "env": env,
                       "cwd": code, "times": {"cold": [], "warm": []}}
        run_once(base, env, code)  # fills the caches for the warm runs
    for _ in range(runs):
        for kind in ("cold", "warm"):
            for side in ("before", "after"):
                s = sides[side]
                s["times"][kind].append(run_once(s[kind], s["env"], s["cwd"])["wall"])
    out = {}
    for side, s in sides.items():
        shutil.rmtree(s["work"], ignore_errors=True)
        out[side] = {kind: (statistics.median(ts), min(ts)) for kind, ts in s["times"].items()}
    return out


def ensure_repo(path: Path, packets: int) -> Path:
    marker = path / ".GOV" / "spec" / "SPEC_CURRENT.md"
    if marker.is_file():
        return path
    from gen_repo import make_repo

    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    summary = make_repo(path, n_packets=packets)
    print(f"generated {path} in {time.perf_counter() - t:.1f}s: {summary}", file=sys.stderr)
    return path


def ensure_history_repo(commits: int, packets: int, versions: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"govcheck-bench-history-{commits}c-{packets}p-{versions}v"
    if (path / ".git").is_dir() and (path / ".GOV" / "spec" / "SPEC_CURRENT.md").is_file():
        return path
    from gen_history import make_history_repo

    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    summary = make_history_repo(path, commits=commits, n_packets=packets, n_versions=versions)
    print(f"generated {path} in {time.perf_counter() - t:.1f}s: {summary}", file=sys.stderr)
    return path


def ensure_corpus_history(commits: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"govcheck-bench-corpus-history-{commits}c"
    if (path / ".git").is_dir():
        return path
    from gen_history import history_from_corpus

    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    summary = history_from_corpus(CORPUS_HALF, path, commits=commits)
    print(f"generated {path} in {time.perf_counter() - t:.1f}s: {summary}", file=sys.stderr)
    return path


def export_code(rev: str) -> Path:
    """Revision ``rev``'s govcheck package in a temp folder (for PYTHONPATH)."""
    out = Path(tempfile.mkdtemp(prefix="govcheck-bench-before-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "govcheck"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", type=Path, default=None, help="reuse (or create) the generated repo here")
    ap.add_argument("--packets", type=int, default=1200)
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (best wall time is kept)")
    ap.add_argument("--rows", default=",".join(ROWS), help=f"which rows, comma-separated ({', '.join(ROWS)})")
    ap.add_argument("--history-commits", type=int, default=1200)
    ap.add_argument("--history-versions", type=int, default=24,
                    help="spec versions along the history (the reference's packets anchor to 20-30)")
    ap.add_argument("--corpus-commits", type=int, default=300)
    ap.add_argument("--stat", choices=("best", "median"), default="best", help="which run's time to print")
    ap.add_argument("--before", metavar="REV", default=None,
                    help="also time git revision REV's code once on the history rows")
    ap.add_argument("--interleave", action="store_true",
                    help="with --before: time REV's code and this checkout alternately, --runs times each, on "
                         "every row (the fair comparison on a shared machine); prints medians and bests only")
    args = ap.parse_args(argv)
    global STAT
    STAT = min if args.stat == "best" else statistics.median
    wanted = {r.strip() for r in args.rows.split(",") if r.strip()}
    unknown = wanted - set(ROWS)
    if unknown:
        ap.error(f"unknown rows: {', '.join(sorted(unknown))}")

    plan: list[tuple[str, Path]] = []
    if "bench" in wanted:
        plan.append(("bench", ensure_repo(args.repo or Path(tempfile.gettempdir()) / f"govcheck-bench-repo-{args.packets}",
                                          args.packets)))
    if "history" in wanted:
        plan.append(("history", ensure_history_repo(args.history_commits, args.packets, args.history_versions)))
    if "corpus" in wanted and CORPUS.is_dir():
        plan.append(("corpus", CORPUS))
    if "corpus-hist" in wanted and CORPUS_HALF.is_dir():
        plan.append(("corpus-hist", ensure_corpus_history(args.corpus_commits)))
    if args.interleave:
        if not args.before:
            ap.error("--interleave compares with --before REV")
        code = export_code(args.before)
        print(f"{'repo':<12} {'side':<7} {'cold median':>11} {'cold best':>9} {'warm median':>11} {'warm best':>9}"
              f"  (interleaved with {args.before}, {args.runs} runs each; yardstick {yardstick_ms():.1f} ms)")
        for name, repo in plan:
            result = interleaved(name, repo, args.runs, code)
            for side in ("before", "after"):
                r = result[side]
                print(f"{name:<12} {side:<7} {r['cold'][0]:11.2f} {r['cold'][1]:9.2f} {r['warm'][0]:11.2f} "
                      f"{r['warm'][1]:9.2f}")
        shutil.rmtree(code, ignore_errors=True)
        return 0
    rows = [(name, repo, bench_repo(name, repo, args.runs)) for name, repo in plan]
    before: list[tuple[str, dict]] = []
    if args.before:
        code = export_code(args.before)
        before = [(name, bench_repo(name, repo, 1, code=code, index=False))
                  for name, repo in plan if name in ("history", "corpus-hist")]
        shutil.rmtree(code, ignore_errors=True)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {platform.machine()} {platform.system()}, {cores} cores{load}, Python {platform.python_version()}, "
          f"{args.stat} of {args.runs}; yardstick: the best of a fixed Python workload before and after each row, "
          f"in ms (lower is faster; ~20 ms on a quiet machine)")
    header = (f"{'repo':<12} {'packets':>7} {'MB':>6} {'cold s':>7} {'fill s':>7} {'warm s':>7} {'peak RSS MB':>11} "
              f"{'cold cpu s':>10} {'yardstick':>9}  targets")
    print(header)
    for name, _, r in rows:
        tg = TARGETS.get(name, {})
        target = ", ".join(f"{k} <= {v:g}" for k, v in tg.items())
        print(_row(name, r, r["packets"], r["bytes"]) + f"  {target}")
    if before:
        print()
        print(f"before ({args.before}), one run each:")
        print(header)
        for name, r in before:
            after = next(a for n, _, a in rows if n == name)
            print(_row(name, r, after["packets"], after["bytes"]))
    print()
    print(f"{'spec (build_index, best of 5)':<48} {'MB':>6} {'ms':>7}")
    for name, _, r in rows:
        for spec, mb, ms in r["index"]:
            print(f"{(name + ': ' + spec)[-48:]:<48} {mb:6.2f} {ms:7.1f}")
    return 0


def _row(name: str, r: dict, packets: int, size: int) -> str:
    rss = max(r[k]["rss_kb"] for k in ("cold", "fill", "warm")) / 1024
    return (f"{name:<12} {packets:>7} {size / 1e6:6.1f} {r['cold']['wall']:7.2f} {r['fill']['wall']:7.2f} "
            f"{r['warm']['wall']:7.2f} {rss:11.0f} {r['cold']['cpu']:10.2f} {r['yardstick']:7.1f}ms")


if __name__ == "__main__":
    sys.exit(main())
