"""Preprocessing steps: the registry, the catalog, and one module per family of steps."""
