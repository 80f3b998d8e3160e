"""TEST_PLAN outcomes: the commands the runner executed for this packet.

One module per rule; importing this package registers them.
"""

from govcheck.rules.test_plan import status_unproven, test_plan_failed  # noqa: F401
