"""Rules of the contract era: ``packet.json``, ``MT-NNN.json`` and
``refinement.json`` contracts, their generated Markdown projections, and
the indexed spec bundle. One module per rule; importing the package
registers them."""

from govcheck.rules.contract import (  # noqa: F401 - imported to register the rules
    closed_with_open_microtasks,
    contract_invalid,
    contract_status_conflict,
    microtask_dependency_cycle,
    microtask_dependency_missing,
    microtask_status_unknown,
    projection_drift,
    spec_bundle_integrity,
)
