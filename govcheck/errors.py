"""govcheck's own exception types.

Each carries a message fit for the user; the CLI catches ``GovcheckError``
once, prints ``govcheck: <message>`` on one line to stderr and exits 2.
"""

from __future__ import annotations


class GovcheckError(Exception):
    """A usage or input error: exit code 2, one line on stderr."""

    exit_code = 2


class RepoError(GovcheckError):
    """The repository layout cannot be used (missing, no SPEC_CURRENT ...)."""


class ConfigError(GovcheckError):
    """govcheck.yaml / [tool.govcheck] is malformed or invalid."""


class SpecCurrentError(GovcheckError):
    """SPEC_CURRENT is missing, names no spec, or names a missing file."""


class UnknownPacketError(GovcheckError):
    """A WP id that names no packet (message carries close matches)."""


class UsageError(GovcheckError):
    """Arguments that cannot be acted on."""
