"""The one caller of git: read-only questions about the repository.

Every git process govcheck starts goes through :class:`Git`, so the rules
for running it live in one place: never a shell, no standard input, a
timeout, ``-C <root>`` so it only ever looks at this repository.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from govcheck.errors import GovcheckError

DEFAULT_TIMEOUT_S = 120
# The longest header line ``git cat-file --batch`` answers with: an object
# id, a type and a size (or the request echoed back with "missing"), so a
# request line is bounded by the caller and the header by this.
_HEADER_LIMIT = 4096 + 64


class BatchReaderError(GovcheckError):
    """The ``git cat-file --batch`` process broke, spoke out of protocol or
    took longer than its timeout; the reader is closed."""


class CatFileBatch:
    """One long-lived ``git cat-file --batch`` process: many blobs read
    over one pipe instead of one ``git show`` process each.

    Requests go one at a time under a lock (the protocol is strictly
    request/answer, and callers use threads). Every read is bounded: the
    header line by length, the body by the size git announced, and the
    whole answer by a timeout after which the process is killed, so a
    stuck git can slow a run down but never hang it. After any failure
    the reader is closed and every later ``read`` raises.
    """

    def __init__(self, root: Path, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        # A forked child must not talk over its parent's pipes: the answers
        # would interleave. It raises instead (callers start their own).
        self._pid = os.getpid()
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )

    @property
    def usable(self) -> bool:
        return self._proc is not None and self._pid == os.getpid()

    def read(self, spec: str) -> bytes | None:
        """The blob named by ``spec`` (``<commit>:<path>``), or None when
        git answers that no such object exists (or it is no blob)."""
        if "\n" in spec or "\r" in spec or len(spec) > 4096:
            return None  # not expressible as one request line; nothing has that name
        with self._lock:
            if not self.usable:
                raise BatchReaderError("git cat-file --batch is closed")
            proc = self._proc
            assert proc is not None and proc.stdin is not None and proc.stdout is not None
            timer = threading.Timer(self.timeout, proc.kill)  # a kill turns any blocked read into EOF
            timer.daemon = True
            timer.start()
            try:
                proc.stdin.write(spec.encode("utf-8") + b"\n")
                proc.stdin.flush()
                header = proc.stdout.readline(_HEADER_LIMIT)
                if not header.endswith(b"\n"):
                    raise BatchReaderError("git cat-file --batch: no answer (exited, timed out or overlong header)")
                fields = header[:-1].rsplit(b" ", 2)
                if fields[-1] in (b"missing", b"ambiguous"):
                    return None
                if len(fields) != 3 or not fields[2].isdigit():
                    raise BatchReaderError(f"git cat-file --batch: unexpected answer {header[:200]!r}")
                size = int(fields[2])
                # The object, then one newline, read apart: slicing the
                # newline off a 4 MB spec text would copy it again.
                body = proc.stdout.read(size)
                if len(body) != size or proc.stdout.read(1) != b"\n":
                    raise BatchReaderError("git cat-file --batch: answer cut short (exited or timed out)")
                return body if fields[1] == b"blob" else None
            except (OSError, ValueError, BatchReaderError) as exc:
                self._close_locked()
                if isinstance(exc, BatchReaderError):
                    raise
                raise BatchReaderError(f"git cat-file --batch failed: {exc}") from None
            finally:
                timer.cancel()

    def close(self) -> None:
        """End the process: closing its stdin lets git exit on its own; a
        git that does not within the timeout is killed. Idempotent."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or self._pid != os.getpid():
            return  # in a forked child the process is the parent's to end
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=min(self.timeout, 2))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> "CatFileBatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Git:
    def __init__(self, root: Path, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.root = Path(root)
        self.timeout = timeout

    def is_repo(self) -> bool:
        return (self.root / ".git").exists()

    def cat_file_batch(self, timeout: float | None = None) -> CatFileBatch:
        """A started ``git cat-file --batch`` reader (use it in a ``with``
        block, or close it). Raises BatchReaderError when git cannot be
        started (not installed, no such folder)."""
        try:
            return CatFileBatch(self.root, timeout or self.timeout)
        except (OSError, subprocess.SubprocessError) as exc:
            raise BatchReaderError(f"git cat-file --batch could not start: {exc}") from None

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
