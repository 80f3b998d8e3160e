"""The hygiene rules, one module per rule. Importing this package registers them."""

from govcheck.rules.hygiene import lineage_missing  # noqa: F401
