"""Benchmark ``govcheck validate --all --no-run`` cold, warm and peak RSS.

    python bench/bench.py [--repo DIR] [--packets N] [--runs N]

Generates (or reuses) a synthetic repo under /tmp (bench/gen_repo.py), then
times the CLI in subprocesses:

* cold: no parse cache (``--no-cache``);
* fill: the first run with an empty cache (parses and writes entries);
* warm: the cache populated;
* peak RSS of each child (``ru_maxrss`` from a fresh process per run);
* the spec section index of every spec in the repo (in-process, best of 5).

The same runs on ../shared/corpus/handshake-3c9b4c14 when present, with
``--state-dir`` and the cache under /tmp, so nothing is written into the
corpus. Exit status 1 from validate is expected (packets fail).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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
TARGETS = {"bench": {"cold": 3.0, "warm": 1.0, "rss_mb": 500.0}, "corpus": {"warm": 0.5}}

# Each run happens in a fresh Python that reports its child's peak RSS, so
# ru_maxrss (a maximum over all children ever waited for) is per run.
_RUNNER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": p.returncode, "wall": wall, "rss_kb": rss, "stderr": p.stderr.decode()[-2000:]}))
"""


def govcheck_cmd() -> list[str]:
    exe = shutil.which("govcheck", path=str(Path(sys.executable).parent)) or shutil.which("govcheck")
    return [exe] if exe else [sys.executable, "-m", "govcheck.cli"]


def run_once(args: list[str], env: dict) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", _RUNNER, *args], env=env, capture_output=True, text=True, check=True)
    res = json.loads(out.stdout)
    if res["rc"] not in (0, 1):
        raise SystemExit(f"validate failed (exit {res['rc']}): {res['stderr']}")
    return res


def best(args: list[str], env: dict, runs: int, before=None) -> dict:
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(run_once(args, env))
    return {"wall": min(r["wall"] for r in results), "rss_kb": max(r["rss_kb"] for r in results)}


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


def bench_repo(name: str, repo: Path, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"govcheck-bench-{name}-"))
    state = work / "state"
    cache_dir = state / "cache"
    base = govcheck_cmd() + ["validate", "--all", "--no-run", "--repo", str(repo), "-q",
                             "--state-dir", str(state), "-o", os.devnull]
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    cold_args = base + ["--no-cache"]
    cached_env = env

    def clear() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    result = {
        "cold": best(cold_args, env, runs),
        "fill": best(base, cached_env, runs, before=clear),
    }
    run_once(base, cached_env)  # make sure the cache is populated
    result["warm"] = best(base, cached_env, runs)
    result["index"] = spec_index_ms(repo)
    from govcheck.engine.loader import open_repo

    result["packets"] = len(open_repo(repo)[0].packets)
    result["bytes"] = sum(p.stat().st_size for p in repo.rglob("WP-*") if p.is_file())
    result["bytes"] += sum(p.stat().st_size for p in repo.rglob("packet.*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return result


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", type=Path, default=None, help="reuse (or create) the generated repo here")
    ap.add_argument("--packets", type=int, default=1200)
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (best wall time is kept)")
    args = ap.parse_args(argv)

    repo = ensure_repo(args.repo or Path(tempfile.gettempdir()) / f"govcheck-bench-repo-{args.packets}", args.packets)
    rows = [("bench", repo, bench_repo("bench", repo, args.runs))]
    if CORPUS.is_dir():
        rows.append(("corpus", CORPUS, bench_repo("corpus", CORPUS, args.runs)))

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()} {platform.system()}, {cores} cores, Python {platform.python_version()}, "
          f"best of {args.runs}")
    print(f"{'repo':<8} {'packets':>7} {'MB':>6} {'cold s':>7} {'fill s':>7} {'warm s':>7} {'peak RSS MB':>11}  targets")
    for name, _, r in rows:
        rss = max(r[k]["rss_kb"] for k in ("cold", "fill", "warm")) / 1024
        tg = TARGETS.get(name, {})
        target = ", ".join(f"{k} <= {v:g}" for k, v in tg.items())
        print(f"{name:<8} {r['packets']:>7} {r['bytes'] / 1e6:6.1f} {r['cold']['wall']:7.2f} {r['fill']['wall']:7.2f} "
              f"{r['warm']['wall']:7.2f} {rss:11.0f}  {target}")
    print()
    print(f"{'spec (build_index, best of 5)':<48} {'MB':>6} {'ms':>7}")
    for name, _, r in rows:
        for spec, mb, ms in r["index"]:
            print(f"{(name + ': ' + spec)[-48:]:<48} {mb:6.2f} {ms:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
