"""Unifica: customer deduplication and merge engine."""

__version__ = "0.1.0"
