"""ML Workbench: an offline desktop workbench from a raw table to a deployed model."""

__version__ = "0.1.0"
