"""The completeness rules, one module per rule. Importing this package registers them."""

from govcheck.rules.completeness import field_missing  # noqa: F401
