"""Waivers: findings about the waivers themselves.

These rules run after every other rule of the packet (``scope="post"``):
they see the packet's findings with waivers applied, so they can tell a
waiver that waived nothing from one that did.


One module per rule; importing this package registers them.
"""

from govcheck.rules.waivers import waiver_expired, waiver_invalid, waiver_unused  # noqa: F401
