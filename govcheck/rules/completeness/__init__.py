"""Packet completeness: the fields every packet generation requires, with
values from their vocabularies and no template placeholders left.

One module per rule; importing this package registers them.
"""

from govcheck.rules.completeness import field_invalid, field_missing, placeholder_left  # noqa: F401
