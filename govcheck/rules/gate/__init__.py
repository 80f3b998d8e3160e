"""Rules about the gate itself under ``govcheck ci``: a change that edits
what judges it, or removes the record of earlier verdicts."""

from govcheck.rules.gate import gate_changed, report_removed  # noqa: F401 (registers the rules)
