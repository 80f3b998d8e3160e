"""Time the spec section index and a full section diff.

    python bench/spec_index.py [SPEC.md ...]

With no arguments it uses the corpus specs beside the project when present,
else a generated 4 MB spec. Prints one row per file: size, numbered
sections, best-of-N index time, and the diff time against the previous file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcheck.analysis.spec_diff import compare  # noqa: E402
from govcheck.parse.spec import build_index  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "handshake-3c9b4c14"


def generated_spec(target_bytes: int = 4_000_000) -> bytes:
    from gen_repo import make_spec  # bench/gen_repo.py

    return make_spec(target_bytes, version="02.999")


def best_of(fn, n: int = 7) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str]) -> None:
    files: list[tuple[str, bytes]] = []
    if argv:
        files = [(a, Path(a).read_bytes()) for a in argv]
    elif CORPUS.is_dir():
        files = [(str(p.relative_to(CORPUS)), p.read_bytes()) for p in sorted(CORPUS.rglob("*Master_Spec_v*.md"))]
    if not files:
        sys.path.insert(0, str(Path(__file__).parent))
        files = [("generated 4 MB spec", generated_spec())]
    print(f"{'spec':<48} {'MB':>6} {'sections':>9} {'index ms':>9} {'diff ms':>8}")
    prev = None
    for name, data in files:
        ix = build_index(data)
        t_index = best_of(lambda: build_index(data))
        t_diff = best_of(lambda: compare(prev, data), 3) if prev is not None else None
        diff = f"{t_diff * 1000:8.1f}" if t_diff is not None else f"{'-':>8}"
        print(f"{name[-48:]:<48} {len(data) / 1e6:6.2f} {len(ix.sections):9d} {t_index * 1000:9.1f} {diff}")
        prev = data


if __name__ == "__main__":
    main(sys.argv[1:])
