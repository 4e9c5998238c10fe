"""Facilitator: run therapy groups in intensive outpatient programs."""

__version__ = "0.1.0"
