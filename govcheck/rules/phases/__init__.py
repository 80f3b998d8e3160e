"""The phases rules, one module per rule. Importing this package registers them."""

from govcheck.rules.phases import phase_order  # noqa: F401
