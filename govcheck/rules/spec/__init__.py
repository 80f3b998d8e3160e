"""Spec anchoring rules: is the packet anchored to the current spec, and do
its anchored sections exist there?

One module per rule; importing this package registers them.
"""

from govcheck.rules.spec import (  # noqa: F401
    spec_ahead,
    spec_anchor_missing,
    spec_anchor_moved,
    spec_current_mismatch,
    spec_current_not_latest,
    spec_ref_conflict,
    spec_stale,
    spec_unanchored,
)
