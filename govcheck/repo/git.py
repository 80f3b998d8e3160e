"""The one caller of git: read-only questions about the repository.

Every git process govcheck starts goes through :class:`Git`, so the rules
for running it live in one place: never a shell, no standard input, a
timeout, ``-C <root>`` so it only ever looks at this repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from govcheck.errors import GovcheckError

DEFAULT_TIMEOUT_S = 120


class Git:
    def __init__(self, root: Path, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.root = Path(root)
        self.timeout = timeout

    def is_repo(self) -> bool:
        return (self.root / ".git").exists()

    def output(self, *args: str, timeout: float | None = None) -> bytes | None:
        """stdout of ``git args``, or None when git is missing, fails or
        times out (callers that can do without an answer)."""
        try:
            proc = subprocess.run(["git", "-C", str(self.root), *args], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=timeout or self.timeout, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout if proc.returncode == 0 else None

    def text(self, *args: str) -> str:
        """stdout of ``git args`` as text; a failure raises GovcheckError
        naming the command and git's last line of complaint."""
        try:
            proc = subprocess.run(["git", "-C", str(self.root), *args], stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GovcheckError(f"git {args[0]} failed: {exc}") from None
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GovcheckError(f"git {' '.join(args[:2])}: {msg[-1] if msg else 'failed'}")
        return proc.stdout.decode("utf-8", "replace")
