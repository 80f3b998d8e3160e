"""The binary phase gate [CX-GATE-001]: BOOTSTRAP, then SKELETON, then the
``SKELETON APPROVED`` marker, and only then implementation.

One module per rule; importing this package registers them.
"""

from govcheck.rules.phases import phase_order  # noqa: F401
