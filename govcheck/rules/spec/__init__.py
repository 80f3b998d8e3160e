"""The spec rules, one module per rule. Importing this package registers them."""

from govcheck.rules.spec import spec_anchor_moved  # noqa: F401
