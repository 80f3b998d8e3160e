"""The scan rules, one module per rule. Importing this package registers them."""

from govcheck.rules.scan import forbidden_pattern  # noqa: F401
