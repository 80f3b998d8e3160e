"""The test_plan rules, one module per rule. Importing this package registers them."""

from govcheck.rules.test_plan import test_plan_failed  # noqa: F401
