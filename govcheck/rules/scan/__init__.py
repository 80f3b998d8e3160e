"""Scans of the code a packet covers: forbidden patterns (CX-573E) and the
patterns its RISK_MAP tells the validator to review.

Both rules search the files under the packet's IN_SCOPE_PATHS that exist
in the repo (files, folders recursively, or globs), never leaving the repo,
skipping binary files, files over 2 MB and the ``.git``, ``node_modules``
and ``target`` folders. Findings point at the hit (path = the source file,
line = its line) so CI annotations land on the code.


One module per rule; importing this package registers them.
"""

from govcheck.rules.scan import forbidden_pattern, risk_map_hit  # noqa: F401
