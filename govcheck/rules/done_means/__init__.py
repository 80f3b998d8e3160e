"""DONE_MEANS: present, real, observable, and (once Done) evidenced.

One module per rule; importing this package registers them.
"""

from govcheck.rules.done_means import (  # noqa: F401
    done_means_missing,
    done_means_placeholder,
    done_means_unevidenced,
    done_means_vague,
)
