"""The waivers rules, one module per rule. Importing this package registers them."""

from govcheck.rules.waivers import waiver_unused  # noqa: F401
