"""The run report as a document (no Qt)."""
