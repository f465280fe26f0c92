"""The model registry: declarations, the catalog, and the factories."""
