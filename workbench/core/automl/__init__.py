"""The auto search: a wall-clock budget spent across the registry's model families, then an
ensemble of the best runs (search.py, ensemble.py). No Qt."""
