"""How evenly ``validate --all --shard K/N`` splits the work.

    python bench/shard_balance.py [--repo DIR] [--packets N] [--shards 2,3,4]

Two measures, both printed per shard count:

* planned: the plan's load per part with recorded command durations (a
  durations file with times drawn from an exponential distribution, as
  real TEST_PLAN times vary widely, seeded), which is what a warm cache
  balances on; spread = max/min - 1, the issue's bound is 10%;
* rerun: the same plan when every packet's commands then take up to 20%
  more or less than recorded (runs are never exactly repeatable);
* measured: wall time of each part run as a subprocess, ``--no-run
  --no-cache`` (balanced by packet size: parse and check cost), which
  includes each process's fixed start-up cost.

The repo is generated with bench/gen_repo.py under /tmp when --repo is not
given (1,200 packets by default, as bench.py).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from gen_repo import make_repo  # noqa: E402

from bench import govcheck_cmd  # noqa: E402
from govcheck.engine import shard as shards  # noqa: E402
from govcheck.engine.loader import open_repo  # noqa: E402


def planned(repo_root: Path, count: int, seed: int = 5) -> tuple[list[float], list[float]]:
    """(planned load per part, load per part of a rerun with jitter)."""
    repo, _, _ = open_repo(repo_root)
    locs = list(repo.packets.values())
    rng = random.Random(seed)
    durations = {loc.id: rng.expovariate(1 / 30) for loc in locs}
    loads = shards.weights(repo, locs, durations)
    assignment = shards.plan([loc.id for loc in locs], loads, count)
    rerun = [w * rng.uniform(0.8, 1.2) for w in loads]

    def per_part(values: list[float]) -> list[float]:
        return [sum(w for w, a in zip(values, assignment) if a == part) for part in range(count)]

    return per_part(loads), per_part(rerun)


def _wall(repo_root: Path, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory() as state:
        start = time.perf_counter()
        subprocess.run([*govcheck_cmd(), "validate", "--all", "--no-run", "--no-cache", "-q", "--repo",
                        str(repo_root), "--state-dir", state, *extra, "--format", "json",
                        "--output", str(Path(state) / "part.json")], check=False, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def measured(repo_root: Path, count: int, runs: int) -> list[float]:
    # Best of `runs`: the machine is shared, and a slow outlier is noise.
    return [min(_wall(repo_root, ["--shard", f"{k}/{count}"]) for _ in range(runs)) for k in range(1, count + 1)]


def spread(values: list[float]) -> float:
    return max(values) / min(values) - 1 if min(values) > 0 else float("inf")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", type=Path)
    ap.add_argument("--packets", type=int, default=1200)
    ap.add_argument("--shards", default="2,3,4")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    root = args.repo
    if root is None:
        root = Path(tempfile.gettempdir()) / f"govcheck-shard-bench-{args.packets}"
        if not root.exists():
            print(json.dumps(make_repo(root, n_packets=args.packets)))
    print(f"one run: {min(_wall(root, []) for _ in range(args.runs)):.2f} s")
    for count in (int(n) for n in args.shards.split(",")):
        plan, rerun = planned(root, count)
        wall = measured(root, count, args.runs)
        print(f"{count} shards: planned load (s) {', '.join(f'{x:.0f}' for x in plan)} spread {spread(plan):.1%}; "
              f"rerun ±20% {', '.join(f'{x:.0f}' for x in rerun)} spread {spread(rerun):.1%}; "
              f"measured wall --no-run (s) {', '.join(f'{x:.2f}' for x in wall)} spread {spread(wall):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
