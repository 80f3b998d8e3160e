"""Fixtures of the contract rule tests: fixtures/contract-era, validated
whole once, and a private copy to edit (defined in tests/contract_era.py,
shared with tests/test_contract_packets.py)."""

from contract_era import fixture_report, repo  # noqa: F401 - fixtures
