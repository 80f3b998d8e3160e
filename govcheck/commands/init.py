"""``govcheck init``: a starter govcheck.yaml for the layout found."""

from __future__ import annotations

from pathlib import Path

from govcheck.repo.repository import Repo


def _list(items) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def starter_config(root: Path) -> str:
    repo = Repo(root)
    lines = [
        "# govcheck configuration, written by `govcheck init` for the layout found here.",
        "# Every key is optional: remove what you do not need. README: Configuration.",
        "layout:",
    ]
    found = False
    if repo.packet_dirs:
        lines.append(f"  packets: {_list(repo.packet_dirs)}")
        found = True
    if repo.spec_current_paths:
        lines.append(f"  spec_current: {_list(repo.spec_current_paths)}")
        found = True
    spec_dirs = sorted({(sf.path.rsplit('/', 1)[0] if '/' in sf.path else '.') for sf in repo.spec_files})
    if spec_dirs:
        lines.append(f"  spec_dirs: {_list(spec_dirs)}")
        found = True
    if repo.task_board_path:
        lines.append(f"  task_board: {_list([repo.task_board_path])}")
        found = True
    if repo.traceability_path:
        lines.append(f"  traceability_registry: {_list([repo.traceability_path])}")
        found = True
    if not found:
        lines[-1] = "# layout: nothing found; govcheck looks in .GOV/ and docs/ (README: Layouts)."
        lines.append("# layout:")
        lines.append('#   packets: [".GOV/task_packets"]')
    lines += [
        "",
        "rules:",
        "  # spec-stale: {unchanged_severity: warning}   # stale, but no anchored section changed",
        "  # forbidden-pattern: {patterns: ['\\bunwrap\\(\\)', 'todo!\\(']}",
        "  # risk-map-hit: {enabled: true}",
        "  done-means-vague: {severity: warning}",
        "",
        "run:",
        "  timeout: 600          # seconds per TEST_PLAN command",
        "  # allow: ['^cargo ', '^pnpm ', '^just ', '^python3? ']   # only these commands run",
        "  # env: {RUST_BACKTRACE: '1'}",
        "",
        "# policy:",
        "#   risk:",
        "#     HIGH: {warnings_fail: true, timeout: 1800}",
        "",
        "# waivers:",
        "#   - {id: W-1, date: 2026-01-01, justification: '...', rules: [non-ascii], packets: [WP-1-Example]}",
        "",
    ]
    return "\n".join(lines)
