"""govcheck: a validator for spec-driven governance repos."""

__version__ = "0.1.0"
