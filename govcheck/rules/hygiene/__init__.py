"""Packet hygiene: ASCII-only text, packet id naming, lineage and the
traceability registry, refinement files, evidence file references, claims.

One module per rule; importing this package registers them.
"""

from govcheck.rules.hygiene import (  # noqa: F401
    claim_missing,
    evidence_missing_file,
    lineage_missing,
    non_ascii,
    refinement_missing,
    wp_id_naming,
)
