"""Mask the caller's secrets in command output, as CI systems do.

Scrubbing the child's environment is not enough: a command can still find a
secret (``/proc/<pid>/environ`` of a process that has it, a file, a socket)
and print it, and what it prints ends up in the log, the proof lines and the
reports. So every value of a secret-looking variable of the *caller's*
environment is replaced by ``***`` wherever command output is written.

What counts as a secret: a variable whose name says it holds one (see
:data:`SECRET_NAME_RE`) with a value of at least :data:`MIN_SECRET_LEN`
characters that is not a mere flag word; shorter values would mask noise
("1", "on") all over the logs. Encoded forms (base64, URL-encoding) of a
secret are not recognised.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

__all__ = ["MASK", "MIN_SECRET_LEN", "SECRET_NAME_RE", "OutputMasker", "secret_values"]

MASK = b"***"
MIN_SECRET_LEN = 4
# Names that say they hold a secret. Unlike the environment scrub (which
# drops every AWS_* and GITHUB_* name), masking needs a secret word in the
# name: GITHUB_ACTIONS=true or GITHUB_REF_TYPE=branch masked would turn every
# "true" or "branch" in a log into ***.
SECRET_NAME_RE = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|PRIVATE|AUTH(?!OR)|COOKIE|SESSION|DSN|(^|_)PAT($|_)",
    re.IGNORECASE,
)
# Values that are flags, not secrets, even under a secret-looking name
# (SKIP_KEY_CHECK=true).
_FLAG_WORDS = frozenset({"true", "false", "null", "none", "yes", "no", "enabled", "disabled"})


def looks_secret(name: str) -> bool:
    return SECRET_NAME_RE.search(name) is not None


def secret_values(*envs: Mapping[str, str]) -> tuple[bytes, ...]:
    """The values to mask from ``envs``, as UTF-8 bytes, longest first (so
    a secret containing another is masked whole)."""
    found: set[bytes] = set()
    for env in envs:
        for name, value in env.items():
            value = str(value)
            if len(value) < MIN_SECRET_LEN or value.lower() in _FLAG_WORDS:
                continue
            if looks_secret(str(name)):
                found.add(value.encode("utf-8", errors="surrogateescape"))
    return tuple(sorted(found, key=lambda v: (-len(v), v)))


class OutputMasker:
    """Masks secrets in a stream of output chunks.

    A secret split across two chunks must still be found, so the last
    ``longest - 1`` bytes of what was fed are held back until more output (or
    :meth:`flush`) shows they cannot start a secret.
    """

    def __init__(self, secrets: Iterable[bytes]) -> None:
        self.secrets = tuple(s for s in secrets if s)
        self._hold = max((len(s) for s in self.secrets), default=1) - 1
        self._re = re.compile(b"|".join(re.escape(s) for s in self.secrets)) if self.secrets else None
        self._pending = b""

    def mask(self, data: bytes) -> bytes:
        """``data`` with every secret replaced (no state: a whole text)."""
        if self._re is None or not any(s in data for s in self.secrets):
            return data
        return self._re.sub(MASK, data)

    def feed(self, chunk: bytes) -> bytes:
        """The masked output that is certain so far."""
        if self._re is None:
            return chunk
        data = self._pending + chunk
        cut = len(data) - self._hold  # bytes before cut cannot begin an unseen secret
        if cut <= 0:
            self._pending = data
            return b""
        if not any(s in data for s in self.secrets):  # the common case, at memchr speed
            self._pending = data[cut:]
            return data[:cut]
        out = bytearray()
        pos = 0
        for m in self._re.finditer(data):
            if m.start() >= cut:
                break
            out += data[pos:m.start()] + MASK
            pos = m.end()
        cut = max(cut, pos)
        out += data[pos:cut]
        self._pending = data[cut:]
        return bytes(out)

    def flush(self) -> bytes:
        """The held-back rest, masked."""
        rest, self._pending = self._pending, b""
        return self.mask(rest)
