"""The training runner: splits, search, fitting, events."""
