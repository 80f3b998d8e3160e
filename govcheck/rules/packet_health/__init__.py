"""The packet_health rules, one module per rule. Importing this package registers them."""

from govcheck.rules.packet_health import report_tampered  # noqa: F401
