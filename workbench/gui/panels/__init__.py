"""The workbench's main panels: one per stage of the flow (data, profile, prepare, train, ...)."""
