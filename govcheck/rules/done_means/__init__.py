"""The done_means rules, one module per rule. Importing this package registers them."""

from govcheck.rules.done_means import done_means_unevidenced  # noqa: F401
