"""Anmian: TCM care of Restless Legs Syndrome. Supports care; does not diagnose."""

__version__ = "0.1.0"
