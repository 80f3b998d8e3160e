"""Time and peak memory of parsing hostile packets (packets come from
untrusted pull requests).

    python bench/hostile_inputs.py [--case NAME ...] [--root CHECKOUT] [--timeout S]

Generates, in a temporary folder:

* ``nested-9mb``: 3,000 bullets each nested one level deeper than the last
  (two more spaces of indentation per level), about 9 MB. Every line is
  shorter than the long-line limit, so a scan for over-long lines that
  restarts at every character costs the sum of the squared line lengths;
* ``items-5.5mb`` and ``items-22.9mb``: ``- item`` lines, one flat list of
  hundreds of thousands of items (token count, line tables);
* ``deep-json``: a folder packet whose packet.json opens 100,000 arrays;
* ``lines-at-limit``: 25,000 lines of ``- A: b`` (list items that are
  fields), the most lines a packet may have (MAX_PACKET_LINES): the
  slowest packet still parsed;
* ``hostile-lines``: twenty lines of 19,000 characters (under the long-line
  limit) in each place a pattern used to back-track quadratically: a
  validation report, SPEC_ANCHOR, EVIDENCE, SPEC_TARGET with SPEC_CURRENT,
  headings of "(", waiver ids; 7,000 STATUS lines before 7,000 METADATA
  headings; 7,000 mangled fence openers (21,000 lines: under the limit);
* ``bad-bytes``: 16 MB with 1,000 bytes that are not UTF-8.

``--root`` parses with the govcheck of another checkout (an older commit
unpacked with ``git archive``), for before/after figures; ``--timeout``
stops a case that runs longer.

Each case is parsed in a fresh Python process through ``load_packet``, the
entry point ``govcheck validate`` uses (decode, then ``parse_packet``), so
the peak RSS printed (``ru_maxrss``) is that case's alone. The figures
include the interpreter and the imports (about 30 MB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (name, generator, targets: seconds, MB)
_NESTED_LEVELS = 3000


def nested_bullets() -> bytes:
    return "".join("  " * i + "- level\n" for i in range(_NESTED_LEVELS)).encode()


def items(size: int) -> bytes:
    line = b"- item\n"
    return line * (size // len(line))


def deep_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def hostile_lines() -> bytes:
    n = 19_000  # under the 20,000-character long-line limit: parsed
    parts = [
        "# WP-1-Hostile\n\n## Validation Report - x\n", ("\t" * n + "12345\n") * 20,
        "\n## SCOPE\n- SPEC_ANCHOR: x\n", ("  " + "1." * (n // 2) + ".md\n") * 20,
        "\n- REQUIREMENT: x\n", ("- EVIDENCE: " + "a/" * (n // 2) + "\n") * 20,
        ("- SPEC_TARGET: " + "a" * n + " SPEC_CURRENT\n") * 20,
        "\n", ("## " + "(" * n + "\n") * 20,
        "\n## WAIVERS GRANTED\n", ("- a" + "1" * n + "!\n") * 20,
        "\n", "STATUS: x\n" * 7_000, "\n", "## METADATA\n" * 7_000,
        "\n", "`ash\n" * 7_000,
    ]
    return "".join(parts).encode()


def bad_bytes() -> bytes:
    return (b"a" * 16_000 + b"\x97\n") * 1_000


CASES = {
    "nested-9mb": (lambda: ("md", nested_bullets()), 1.0, 300),
    "items-5.5mb": (lambda: ("md", items(5_500_000)), 2.0, 300),
    "items-22.9mb": (lambda: ("md", items(22_900_000)), 2.0, 300),
    "deep-json": (lambda: ("json", deep_json()), 2.0, 300),
    "lines-at-limit": (lambda: ("md", b"- A: b\n" * 25_000), 2.0, 300),
    "hostile-lines": (lambda: ("md", hostile_lines()), 2.0, 300),
    "bad-bytes": (lambda: ("md", bad_bytes()), 2.0, 300),
}

_PACKET_MD = "# WP-1-Hostile\n\n## METADATA\n- STATUS: Ready for Dev\n"

# Runs in a fresh interpreter: parse one packet the way the loader does and
# report wall time, peak RSS and what the parse found.
_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from govcheck.parse.packet import parse_packet
from govcheck.parse.text import decode
md, js = sys.argv[2], sys.argv[3]
data = open(md, "rb").read()
packet_json = open(js, "rb").read() if js else None
t = time.perf_counter()
decoded = decode(data)
packet = parse_packet(data, packet_id="WP-1-Hostile", path=md, packet_json=packet_json, decoded=decoded)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
issues = sorted({(i.kind, i.line) for i in packet.parse_issues})[:5]
print(json.dumps({"wall": wall, "rss_kb": rss, "issues": issues}))
"""


def run_case(name: str, tmp: Path, root: Path, timeout: float) -> dict:
    make, _, _ = CASES[name]
    kind, payload = make()
    folder = tmp / name
    folder.mkdir()
    md = folder / "packet.md"
    js = ""
    if kind == "json":
        md.write_text(_PACKET_MD)
        (folder / "packet.json").write_bytes(payload)
        js = str(folder / "packet.json")
    else:
        md.write_bytes(payload)
    size = len(payload)
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(md), js],
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"size": size, "error": [f"timeout: still running after {timeout:g} s"]}
    if out.returncode != 0:
        return {"size": size, "error": out.stderr.strip().splitlines()[-1:] or ["exit %d" % out.returncode]}
    res = json.loads(out.stdout)
    res["size"] = size
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose govcheck parses (default: this one)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds a case may run (default 600)")
    args = ap.parse_args()
    names = args.case or list(CASES)
    print(f"{'case':<14} {'MB':>6} {'seconds':>8} {'peak MB':>8}  target      issues")
    failed = False
    with tempfile.TemporaryDirectory(prefix="govcheck-hostile-") as tmp:
        for name in names:
            res = run_case(name, Path(tmp), args.root.resolve(), args.timeout)
            _, max_s, max_mb = CASES[name]
            mb = res["size"] / 1e6
            if "error" in res:
                failed = True
                print(f"{name:<14} {mb:>6.1f} {'-':>8} {'-':>8}  <{max_s:g}s <{max_mb}MB  FAIL {res['error'][0]}", flush=True)
                continue
            peak = res["rss_kb"] / 1024
            ok = res["wall"] < max_s and peak < max_mb
            failed |= not ok
            print(f"{name:<14} {mb:>6.1f} {res['wall']:>8.2f} {peak:>8.0f}  <{max_s:g}s <{max_mb}MB"
                  f" {'ok ' if ok else 'MISS'} {res['issues']}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
