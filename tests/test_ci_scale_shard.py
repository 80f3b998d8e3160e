"""Issue 16, scale-out: ``validate --all --shard K/N`` parts merged by
``govcheck merge`` give the report one run gives, in every format, on a
generated repo (bench/gen_repo.py, small), with a baseline whose entries
are partly fixed so the merged notes are checked too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from govcheck.engine import shard as shards
from govcheck.errors import UsageError
from govcheck.report import FORMATS

sys.path.insert(0, str(ROOT / "bench"))
import gen_repo  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
# summary is what the job summary gets; every format is compared.
ALL_FORMATS = sorted(FORMATS)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "repo"
    gen_repo.make_repo(root, n_packets=45, spec_bytes=60_000, seed=7)
    # A spec newer than SPEC_CURRENT names: a repository-level finding.
    (root / ".GOV" / "spec" / "Handshake_Master_Spec_v02.999.md").write_text("# Spec\n\n## 1 Intro\n\nText.\n")
    res = run_cli("baseline", "--repo", root, "--output", root / ".govcheck-baseline.json", env=EPOCH)
    assert res.exit_code == 0, res.stderr
    doc = json.loads((root / ".govcheck-baseline.json").read_text())
    # Keep a third of the findings known, and add entries nothing raises
    # any more: "fixed" notes for packets in different parts and the repo.
    ids = sorted({f["packet"] for f in doc["findings"] if f["packet"]})
    doc["findings"] = doc["findings"][::3] + [
        {"fingerprint": f"{n:032x}", "rule": "field-missing", "packet": wp, "path": "x", "message": "gone"}
        for n, wp in enumerate(ids[::7], 1)
    ] + [{"fingerprint": "f" * 32, "rule": "spec-current-not-latest", "packet": None, "path": "y", "message": "gone"}]
    (root / ".govcheck-baseline.json").write_text(json.dumps(doc))
    return root


def _run(repo: Path, tmp: Path, name: str, *args: str) -> dict[str, str]:
    """Every format of one run (or merge), by format name."""
    outs = [a for fmt in ALL_FORMATS for a in ("--format", f"{fmt}:{tmp / f'{name}.{fmt}'}")]
    res = run_cli(*args, *outs, env=EPOCH)
    assert res.exit_code in (0, 1), res.stderr
    return {fmt: (tmp / f"{name}.{fmt}").read_text(encoding="utf-8") for fmt in ALL_FORMATS}


def _normalise(fmt: str, text: str, tmp: Path, name: str) -> str:
    # Outputs that name where the full report went name this run's file.
    return text.replace(str(tmp / f"{name}.markdown"), "FULL")


@pytest.mark.parametrize("count", [3, 4])
def test_merged_parts_equal_one_run_in_every_format(repo, tmp_path, count):
    common = ("--repo", str(repo), "--no-run", "--state-dir", str(tmp_path / "state"), "-q")
    single = _run(repo, tmp_path, "single", "validate", "--all", *common)
    parts = []
    for k in range(1, count + 1):
        part = tmp_path / f"part{k}.json"
        res = run_cli("validate", "--all", *common, "--shard", f"{k}/{count}", "--format", f"json:{part}", env=EPOCH)
        assert res.exit_code in (0, 1), res.stderr
        parts.append(part)
    docs = [json.loads(p.read_text()) for p in parts]
    assert sum(len(d["packets"]) for d in docs) == len(json.loads(single["json"])["packets"])
    assert docs[0]["repo_findings"] and not any(d["repo_findings"] for d in docs[1:])  # repo checks once
    merged = _run(repo, tmp_path, "merged", "merge", *map(str, reversed(parts)))  # any order
    assert any(n.startswith("Fixed since the baseline") for n in json.loads(single["json"])["notes"])
    for fmt in ALL_FORMATS:
        if fmt == "html":
            # The dashboard embeds field lines the JSON report does not carry
            # (a status's line); merged, it must still show every packet.
            ids = [p["id"] for p in json.loads(single["json"])["packets"]]
            assert all(f'id="row-{n}"' in merged[fmt] for n in range(len(ids)))
            assert all(i in merged[fmt] for i in ids)
            continue
        assert _normalise(fmt, merged[fmt], tmp_path, "merged") == _normalise(fmt, single[fmt], tmp_path, "single"), fmt


def test_merge_refuses_parts_that_do_not_make_one_run(repo, tmp_path):
    common = ("--repo", str(repo), "--no-run", "--state-dir", str(tmp_path / "state"), "-q")
    for k in (1, 2):
        run_cli("validate", "--all", *common, "--shard", f"{k}/3", "--format", f"json:{tmp_path / f'p{k}.json'}",
                env=EPOCH)
    res = run_cli("merge", tmp_path / "p1.json", tmp_path / "p2.json")
    assert res.exit_code == 2 and "expected parts 1..3" in res.stderr
    res = run_cli("merge", tmp_path / "p1.json", tmp_path / "p1.json", tmp_path / "p2.json")
    assert res.exit_code == 2
    res = run_cli("validate", "--all", *common, "--shard", "4/3")
    assert res.exit_code == 2 and "K/N" in res.stderr


def test_plan_balances_by_recorded_durations_within_ten_percent():
    ids = [f"WP-{i:04d}" for i in range(300)]
    import random

    rng = random.Random(3)
    loads = [rng.expovariate(1 / 20) for _ in ids]  # command times vary a lot, as real ones do
    for count in (2, 3, 4, 8):
        assignment = shards.plan(ids, loads, count)
        totals = [sum(w for w, a in zip(loads, assignment) if a == part) for part in range(count)]
        assert max(totals) <= 1.10 * min(totals), (count, totals)
        assert shards.plan(ids, loads, count) == assignment  # deterministic


def test_weights_use_durations_and_scale_sizes_for_the_rest(tmp_path):
    from govcheck.engine.loader import open_repo

    root = tmp_path / "r"
    gen_repo.make_repo(root, n_packets=6, spec_bytes=20_000, seed=2)
    repo, _, _ = open_repo(root)
    locs = list(repo.packets.values())
    by_size = shards.weights(repo, locs, {})
    known = {locs[0].id: 10.0}
    mixed = shards.weights(repo, locs, known)
    assert mixed[0] == 10.0
    rate = 10.0 / by_size[0]
    assert mixed[1:] == pytest.approx([w * rate for w in by_size[1:]])


def test_durations_are_recorded_and_read_back(tmp_path):
    from govcheck.model import CommandResult, Packet, PacketResult, Report, Verdict

    def result(wp: str, secs: float) -> PacketResult:
        return PacketResult(Packet(wp, f"{wp}.md", "", "gen1"), Verdict.PASS, (), None,
                            commands=(CommandResult("make", 1, "passed", 0, secs),
                                      CommandResult("make x", 2, "skipped")))

    report = Report("2026-01-01T00:00:00Z", "/r", Verdict.PASS, None, (result("WP-1-A", 1.5), result("WP-1-B", 2.0)))
    shards.record_durations(tmp_path, report)
    shards.record_durations(tmp_path, Report("x", "/r", Verdict.PASS, None, (result("WP-1-A", 3.0),)))
    assert shards.load_durations(tmp_path) == {"WP-1-A": 3.0, "WP-1-B": 2.0}


def test_shard_spec_parsing():
    assert shards.Shard.parse(" 2/4 ") == shards.Shard(2, 4)
    for bad in ("0/3", "4/3", "a/b", "3"):
        with pytest.raises(UsageError):
            shards.Shard.parse(bad)
